/*
 * metrics.c: the per-thread counters and the exposition text of GET /metrics
 * (see metrics.h). The handler, its token check and the gathering of the
 * figures are in server.c.
 */
#include "http/metrics.h"

#include <inttypes.h>
#include <string.h>

#include "core/banned.h"

/* the histogram's bounds, in nanoseconds and as the le labels */
static const long bound_ns[METRICS_BOUNDS] = {
	5000000L, 10000000L, 25000000L, 50000000L, 100000000L, 250000000L,
	500000000L, 1000000000L, 2500000000L, 5000000000L, 10000000000L,
};
static const char *const bound_label[METRICS_BOUNDS] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
};
static const char *const class_label[4] = { "2xx", "3xx", "4xx", "5xx" };

/* One writer per shard: a plain increment would do on the hardware, the
 * relaxed atomics only keep the concurrent reader of a scrape well defined
 * (no lock prefix: a load and a store). */
static inline void bump(uint64_t *p, uint64_t by)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + by, __ATOMIC_RELAXED);
}

void metrics_count_status(metrics_shard_t *s, int status)
{
	if (status >= 200 && status <= 599)
		bump(&s->status[status / 100 - 2], 1);
}

int metrics_bucket(long ns)
{
	int i = 0;
	while (i < METRICS_BOUNDS && ns > bound_ns[i])
		i++;
	return i;
}

void metrics_observe(metrics_shard_t *s, long ns)
{
	if (ns < 0)
		ns = 0;
	bump(&s->bucket[metrics_bucket(ns)], 1);
	bump(&s->sum_ns, (uint64_t)ns);
}

void metrics_shard_add(metrics_shard_t *into, const metrics_shard_t *from)
{
	for (int i = 0; i < 4; i++)
		into->status[i] += __atomic_load_n(&from->status[i], __ATOMIC_RELAXED);
	for (int i = 0; i <= METRICS_BOUNDS; i++)
		into->bucket[i] += __atomic_load_n(&from->bucket[i], __ATOMIC_RELAXED);
	into->sum_ns += __atomic_load_n(&from->sum_ns, __ATOMIC_RELAXED);
}

static void head(sb_t *out, const char *name, const char *type, const char *help)
{
	sb_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* a label value: backslash, double quote and line feed escaped (format 0.0.4) */
static void add_label_value(sb_t *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			sb_adds(out, "\\\\");
		else if (*v == '"')
			sb_adds(out, "\\\"");
		else if (*v == '\n')
			sb_adds(out, "\\n");
		else
			sb_addch(out, *v);
	}
}

void metrics_format(const metrics_t *m, sb_t *out)
{
	uint64_t cum = 0, count = 0;

	head(out, "sigap_build_info", "gauge", "The running sigap's version, as a label; always 1.");
	sb_adds(out, "sigap_build_info{version=\"");
	add_label_value(out, m->version ? m->version : "");
	sb_adds(out, "\"} 1\n");
	head(out, "sigap_start_time_seconds", "gauge", "When this process started, in seconds since the Unix epoch.");
	sb_addf(out, "sigap_start_time_seconds %" PRId64 "\n", m->start_time);

	head(out, "sigap_http_requests_total", "counter",
	     "HTTP requests answered, by status class: sigap's answers and h2o's own (a malformed request, a body "
	     "over twice max-body); not counted: a request whose client left before the answer.");
	for (int i = 0; i < 4; i++)
		sb_addf(out, "sigap_http_requests_total{code=\"%s\"} %" PRIu64 "\n", class_label[i], m->http.status[i]);

	head(out, "sigap_http_request_duration_seconds", "histogram",
	     "Time from a request's arrival at sigap's handler to its answer handed to h2o, waits for the group "
	     "commit and for a compute thread included.");
	for (int i = 0; i <= METRICS_BOUNDS; i++)
		count += m->http.bucket[i];
	for (int i = 0; i < METRICS_BOUNDS; i++) {
		cum += m->http.bucket[i];
		sb_addf(out, "sigap_http_request_duration_seconds_bucket{le=\"%s\"} %" PRIu64 "\n", bound_label[i], cum);
	}
	sb_addf(out, "sigap_http_request_duration_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n", count);
	sb_addf(out, "sigap_http_request_duration_seconds_sum %" PRIu64 ".%09" PRIu64 "\n", m->http.sum_ns / 1000000000u,
		m->http.sum_ns % 1000000000u);
	sb_addf(out, "sigap_http_request_duration_seconds_count %" PRIu64 "\n", count);

	head(out, "sigap_store_transactions_total", "counter",
	     "Write transactions the group-commit writer ran (failed ones included).");
	sb_addf(out, "sigap_store_transactions_total %" PRIu64 "\n", m->store_txs);
	head(out, "sigap_store_commits_total", "counter",
	     "Commits of the group-commit writer, each of one or more transactions: transactions per commit is "
	     "the batch size.");
	sb_addf(out, "sigap_store_commits_total %" PRIu64 "\n", m->store_commits);
	head(out, "sigap_store_read_only", "gauge",
	     "1 while the database refuses writes (a standby, as last found), else 0.");
	sb_addf(out, "sigap_store_read_only %d\n", m->read_only ? 1 : 0);

	head(out, "sigap_requests_waiting", "gauge", "Requests waiting for a commit or for a compute thread.");
	sb_addf(out, "sigap_requests_waiting %d\n", m->waiting);
	if (m->compute_queued >= 0) {
		head(out, "sigap_compute_queue_jobs", "gauge",
		     "Sign-ins and key operations queued for a compute thread (beyond compute-queue: 503).");
		sb_addf(out, "sigap_compute_queue_jobs %d\n", m->compute_queued);
	}
	head(out, "sigap_worker_threads", "gauge", "Event-loop threads serving HTTP.");
	sb_addf(out, "sigap_worker_threads %d\n", m->threads);

	if (m->njobs > 0) {
		head(out, "sigap_job_runs_total", "counter",
		     "Runs of each periodic job (SLA and deadline sweeps, e-mail, pruning), by outcome.");
		for (int i = 0; i < m->njobs; i++)
			for (int ok = 1; ok >= 0; ok--) {
				sb_adds(out, "sigap_job_runs_total{task=\"");
				add_label_value(out, m->jobs[i].name);
				sb_addf(out, "\",result=\"%s\"} %" PRIu64 "\n", ok ? "ok" : "failed",
					ok ? m->jobs[i].ok : m->jobs[i].failed);
			}
		head(out, "sigap_job_last_success_time_seconds", "gauge",
		     "When each periodic job last ended without an error, in seconds since the Unix epoch; 0 until "
		     "its first success.");
		for (int i = 0; i < m->njobs; i++) {
			sb_adds(out, "sigap_job_last_success_time_seconds{task=\"");
			add_label_value(out, m->jobs[i].name);
			sb_addf(out, "\"} %" PRId64 "\n", m->jobs[i].last_success);
		}
		head(out, "sigap_job_duration_seconds", "gauge", "How long each periodic job's last run took.");
		for (int i = 0; i < m->njobs; i++) {
			sb_adds(out, "sigap_job_duration_seconds{task=\"");
			add_label_value(out, m->jobs[i].name);
			sb_addf(out, "\"} %.6f\n", m->jobs[i].last_seconds);
		}
	}
	if (m->have_mail) {
		head(out, "sigap_mail_waiting", "gauge",
		     "E-mail messages in the outbox neither sent nor given up (being retried included), all Pemda.");
		sb_addf(out, "sigap_mail_waiting %" PRId64 "\n", m->mail_waiting);
		head(out, "sigap_mail_oldest_waiting_seconds", "gauge",
		     "Age of the oldest message still waiting to be sent; 0 when none waits.");
		sb_addf(out, "sigap_mail_oldest_waiting_seconds %" PRId64 "\n", m->mail_oldest_age);
		head(out, "sigap_mail_given_up_24h", "gauge",
		     "Messages given up (after 8 failed attempts over about two days) in the last 24 hours.");
		sb_addf(out, "sigap_mail_given_up_24h %" PRId64 "\n", m->mail_given_up);
	}
}
