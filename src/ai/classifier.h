/*
 * classifier.h: the complaint router. A linear model (liblinear, one-vs-rest
 * L2-regularised L2-loss SVM) over hashed word 1-2-grams and character
 * 2-5-grams inside word boundaries, TF-IDF weighted, with confidences
 * calibrated by a softmax temperature fitted on held-out rows, and
 * explanations that name the words that pushed a prediction.
 *
 * Lifecycle: ai_train_from_rows() or clf_load() gives a clf_model_t, which is
 * immutable afterwards; clf_predict() may be called on it from any number of
 * threads at once (each call borrows scratch space from a small pool inside
 * the model). clf_free() must not race with predictions.
 *
 * Model files ("SIGAPCLF" format, see docs/ai.md) carry a magic, a format
 * version, the payload length and a BLAKE2b-256 checksum; a truncated,
 * corrupted or foreign file is rejected by clf_load() with ERR_INVALID (or
 * ERR_UNSUPPORTED for a newer version) and a message in err.
 *
 * All functions taking char *err, size_t errlen write a lower-case,
 * NUL-terminated message there on failure (err may be NULL if errlen is 0).
 */
#ifndef SIGAP_AI_CLASSIFIER_H
#define SIGAP_AI_CLASSIFIER_H

#include <stddef.h>

#include "ai/text.h"
#include "core/sb.h"

#define CLF_MAX_LABEL 64                       /* bytes in a label */
#define CLF_MAX_CLASSES 1024
#define CLF_TERM_MAX (2 * TEXT_MAX_TOKEN + 2)  /* a bigram and its NUL */

typedef struct clf_model clf_model_t;

/* Progress callback: frac goes from 0 to 1; stage is a short word. */
typedef void clf_progress_fn(void *ctx, double frac, const char *stage);

typedef struct clf_train_opts {
	unsigned text_flags;         /* TEXT_* flags (default TEXT_INFORMAL) */
	const text_stopset_t *stop;  /* words to drop with TEXT_STOPWORDS; copied
					into the model; may be NULL */
	int word_ngrams;             /* 0 (no word features), 1 or 2 (default 2) */
	int char_min, char_max;      /* char n-gram range; char_max 0 disables
					(default 2..5) */
	int sublinear_tf;            /* tf -> 1 + ln tf (default 1) */
	double C;                    /* SVM cost (default 1) */
	double holdout;              /* share of rows held out to fit the
					temperature, 0..0.5 (default 0.1) */
	unsigned min_df;             /* drop features seen in fewer rows (default 1) */
	int fork_calibration;        /* train the calibration model in a child
					process, in parallel with the final
					model; same result. Only for
					single-threaded callers such as the CLI
					(fork() in a threaded process is unsafe).
					Default 0. */
	clf_progress_fn *progress;   /* may be NULL */
	void *progress_ctx;
} clf_train_opts_t;

/* Fills o with the defaults above. */
void clf_train_opts_init(clf_train_opts_t *o);

/*
 * Trains a model on n rows: labels[i] is the class of texts[i]. Both arrays
 * hold NUL-terminated strings and are only read. This is the one training
 * entry point: the CLI calls it with rows from a TSV file, and tenant
 * training calls it with rows from the database. opts may be NULL for the
 * defaults. Needs at least two distinct labels; labels must be 1..64 bytes
 * without control characters. Returns 0 and *ret (caller frees with
 * clf_free), or ERR_INVALID / ERR_NOMEM / ERR_INTERNAL with a message.
 */
int ai_train_from_rows(const char **labels, const char **texts, size_t n,
		       const clf_train_opts_t *opts, clf_model_t **ret,
		       char *err, size_t errlen);

/* Writes the model file format into out (appending). Returns 0 or ERR_NOMEM. */
int clf_serialize(const clf_model_t *m, sb_t *out);
/* Writes the model to path atomically (temporary file + rename). 0 or ERR_IO. */
int clf_save(const clf_model_t *m, const char *path, char *err, size_t errlen);
/* Parses a model from memory (the buffer is not kept). */
int clf_load_mem(const void *buf, size_t len, clf_model_t **ret, char *err, size_t errlen);
/* Reads and parses a model file. ERR_IO if unreadable, else as clf_load_mem. */
int clf_load(const char *path, clf_model_t **ret, char *err, size_t errlen);
void clf_free(clf_model_t *m);

/* Introspection. clf_label() returns NULL for i out of range. */
size_t clf_nlabels(const clf_model_t *m);
const char *clf_label(const clf_model_t *m, size_t i);
/* Index of a label, or -1 if the model does not know it. */
int clf_label_index(const clf_model_t *m, const char *label);
size_t clf_nfeatures(const clf_model_t *m);
double clf_temperature(const clf_model_t *m);

typedef struct clf_result {
	const char *label;  /* points into the model; never NULL */
	double confidence;  /* calibrated probability, 0..1 */
	double score;       /* raw decision value */
} clf_result_t;

typedef struct clf_term {
	char term[CLF_TERM_MAX]; /* a word or "word word" bigram, normalised */
	double weight;           /* contribution to the top label's score */
} clf_term_t;

/*
 * Predicts the k most likely labels of len bytes of text (any bytes; only
 * the first TEXT_MAX_INPUT count), best first, into results[0..*ret_n).
 * *ret_n = min(k, number of labels). Text without known features gets the
 * labels ordered by their bias (a safe answer with low confidence).
 * If terms is non-NULL, up to nterms words that pushed the top label most are
 * written there, strongest first, and their count to *ret_nterms (which may
 * be NULL when terms is NULL). Thread-safe. Returns 0, ERR_INVALID (k == 0)
 * or ERR_NOMEM.
 */
int clf_predict(const clf_model_t *m, const char *text, size_t len,
		clf_result_t *results, size_t k, size_t *ret_n,
		clf_term_t *terms, size_t nterms, size_t *ret_nterms);

/*
 * The model's strongest terms for label i (largest positive weights), from
 * the reverse map of hashed features kept in the model file. Writes up to n
 * terms and their weights; *ret_n gets the count. 0 or ERR_INVALID.
 */
int clf_top_terms(const clf_model_t *m, size_t label, clf_term_t *terms, size_t n,
		  size_t *ret_n);

/*
 * Per-tenant models: every "<tenant>.model" file in dir (tenant codes like
 * "52.71"). A registry is immutable and counts its references: the one
 * clf_registry_load_dir() or clf_registry_reload() returns, one for the slot
 * that holds it, one for each clf_slot_get(); clf_registry_release() drops
 * one and the last frees it.
 *
 * clf_registry_load_dir() is for start-up: a file that fails to load fails
 * the whole call with its message, so a bad deploy is noticed at once.
 */
typedef struct clf_registry clf_registry_t;
int clf_registry_load_dir(const char *dir, clf_registry_t **ret, char *err, size_t errlen);
/*
 * Reads dir again for a running server, next to old (may be NULL; only read,
 * its reference stays the caller's): a file that has not changed keeps old's
 * model (not parsed again), a new or replaced file is loaded, a file that
 * fails to load keeps old's model for its tenant (or leaves the tenant
 * without one if it had none) with "<reason>; <what happened>" appended to
 * problems (lines separated by '\n'), and a tenant whose file is gone loses
 * its model. changed gets the tenants that changed, "52.71 (replaced),
 * 52.72 (added), 52.01 (removed)", or stays as it was if none did. Both sb_t
 * may be NULL. ERR_IO (the directory cannot be read) or ERR_NOMEM fail the
 * whole call: the caller keeps old.
 */
int clf_registry_reload(const char *dir, const clf_registry_t *old, clf_registry_t **ret, sb_t *changed,
			sb_t *problems, char *err, size_t errlen);
/* The model for tenant, or NULL. Borrowed: valid while the caller holds a
 * reference to r. */
const clf_model_t *clf_registry_get(const clf_registry_t *r, const char *tenant);
size_t clf_registry_count(const clf_registry_t *r);
/* Drops one reference (NULL is fine); the last frees the registry and the
 * models no other registry holds. */
void clf_registry_release(clf_registry_t *r);

/*
 * The registry in service, replaced while requests are routed: a reader
 * takes a reference with clf_slot_get() (a mutex held for a pointer read and
 * an increment, never during a prediction), predicts, and releases it;
 * clf_slot_set() swaps in a new registry and drops the slot's reference to
 * the old one, which the last reader still using it frees.
 */
typedef struct clf_slot clf_slot_t;
/* A slot holding r (its reference passes to the slot; r may be NULL), or NULL
 * without memory. */
clf_slot_t *clf_slot_new(clf_registry_t *r);
/* The registry in service with a new reference, or NULL (none, or s NULL). */
clf_registry_t *clf_slot_get(clf_slot_t *s);
/* Puts r (its reference passes to the slot; may be NULL) in service. */
void clf_slot_set(clf_slot_t *s, clf_registry_t *r);
/* Drops the slot's reference and frees the slot; readers must be done. */
void clf_slot_free(clf_slot_t *s);

#endif
