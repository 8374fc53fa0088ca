/*
 * driver.c: a stand-alone `model` command for the classifier bench, used
 * until (and alongside) build/sigap: `driver train|eval|predict|inspect ...`
 * behaves exactly like `sigap model ...` because both call ai_cli_model().
 */
#include "ai/ai_cli.h"

int main(int argc, char **argv)
{
	argv[0] = "model";
	return ai_cli_model(argc, argv);
}
