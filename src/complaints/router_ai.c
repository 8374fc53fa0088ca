/*
 * router_ai.c: the adapter between the routing hook (complaints_set_router)
 * and the text classifier of src/ai/ (classifier.h): serve registers it at
 * start-up with the slot holding the per-tenant model registry as ud,
 *   complaints_set_router(complaints_clf_router, slot);
 * and replaces the registry in the slot on SIGHUP. Each call routes with the
 * registry in service when it starts, holding a reference until it is done,
 * so a reload never frees a model under a prediction. A tenant without a
 * model simply gets no proposal (its complaints wait for the coordinator).
 * The explanation names the words that pushed the prediction most.
 */
#include "complaints/complaints.h"

#include <stdio.h>
#include <string.h>

#include "ai/classifier.h"
#include "core/err.h"
#include "core/banned.h"

int complaints_clf_router(void *ud, const char *tenant, const char *text, char *ret_category, size_t catlen,
			  double *ret_confidence, char *ret_explanation, size_t explen)
{
	clf_registry_t *reg = clf_slot_get(ud);
	const clf_model_t *m = clf_registry_get(reg, tenant);
	clf_result_t res;
	clf_term_t terms[3];
	size_t n = 0, nterms = 0, o = 0;
	int rc;
	if (!m) {
		clf_registry_release(reg);
		return ERR_UNAVAILABLE;
	}
	rc = clf_predict(m, text, strlen(text), &res, 1, &n, terms, 3, &nterms);
	if (rc < 0 || n < 1) {
		clf_registry_release(reg);
		return rc < 0 ? rc : ERR_UNAVAILABLE;
	}
	/* res.label points into the model: copied before the reference goes */
	snprintf(ret_category, catlen, "%s", res.label);
	clf_registry_release(reg);
	*ret_confidence = res.confidence;
	if (ret_explanation && explen) {
		ret_explanation[0] = '\0';
		for (size_t i = 0; i < nterms && o + 1 < explen; i++) {
			int w = snprintf(ret_explanation + o, explen - o, "%s%s", i ? ", " : "", terms[i].term);
			if (w < 0)
				break;
			o += (size_t)w;
		}
	}
	return 0;
}
