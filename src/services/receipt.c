/*
 * receipt.c: the receipt (tanda terima) of an application as a PDF, built
 * with src/docs: the Pemda and OPD, the registration number, service and
 * version, filing time (with the zone) and SLA due day, once finished when
 * and in how many working days, the applicant with a masked NIK,
 * the attached files (under their fields' labels, sizes in KB/MB), the
 * address of the public tracking page, and a QR code of the public
 * verification page (base_url/v/CODE) that shows the application's
 * authenticity and status without personal data.
 */
#include "services/services.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "docs/docs.h"
#include "tenants/tenants.h"
#include "core/banned.h"

static const char *js(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int services_receipt_pdf(store_conn_t *c, const char *tenant, int64_t id, const auth_principal_t *who,
			 const char *base_url, int64_t now, sb_t *out)
{
	json_t *a = NULL, *svc;
	tenant_t t;
	doc_t *d = NULL;
	char line[512], url[600];
	int rc;
	if ((rc = services_app_get(c, tenant, id, who, now, &a)) < 0)
		return rc;
	if ((rc = tenant_get(c, tenant, &t)) < 0)
		goto out;
	if ((rc = doc_new("TANDA TERIMA PERMOHONAN LAYANAN", &d)) < 0)
		goto out;
	svc = json_object_get(a, "service");
	snprintf(line, sizeof(line), "PEMERINTAH %s", t.name);
	for (char *p = line; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	doc_header_line(d, line);
	doc_header_line(d, js(a, "unit_name"));
	snprintf(line, sizeof(line), "Nomor registrasi: %s", js(a, "number"));
	doc_subtitle(d, line);
	doc_heading(d, "Permohonan");
	doc_row(d, "Layanan", js(svc, "name"));
	snprintf(line, sizeof(line), "%lld", (long long)json_integer_value(json_object_get(svc, "version")));
	doc_row(d, "Versi standar layanan", line);
	doc_row(d, "Diajukan", js(a, "filed")); /* with the zone: "2026-12-01 10:45 WITA" */
	snprintf(line, sizeof(line), "%s (%lld hari kerja)", js(a, "due"),
		 (long long)json_integer_value(json_object_get(svc, "sla_days")));
	doc_row(d, "Target selesai", line);
	doc_row(d, "Status", js(a, "state_label"));
	if (json_object_get(a, "closed")) {
		/* a receipt printed after the end says when it ended */
		const json_t *cl = json_object_get(a, "closed");
		long long wd = (long long)json_integer_value(json_object_get(cl, "working_days"));
		if (wd > 0)
			snprintf(line, sizeof(line), "%s (%lld hari kerja)", js(cl, "at"), wd);
		else
			snprintf(line, sizeof(line), "%s (kurang dari 1 hari kerja)", js(cl, "at"));
		doc_row(d, !strcmp(js(a, "state"), "selesai") ? "Selesai pada" : "Ditutup pada", line);
	}
	doc_heading(d, "Pemohon");
	doc_row(d, "Nama", js(a, "applicant_name"));
	doc_row(d, "NIK", js(a, "nik_masked"));
	if (json_array_size(json_object_get(a, "files"))) {
		const json_t *form = json_object_get(svc, "form");
		doc_heading(d, "Berkas yang diterima");
		for (size_t i = 0; i < json_array_size(json_object_get(a, "files")); i++) {
			json_t *f = json_array_get(json_object_get(a, "files"), i);
			const char *label = js(f, "field");
			char size[32];
			/* under the field's label, as on the form */
			for (size_t k = 0; k < json_array_size(form); k++)
				if (!strcmp(js(json_array_get(form, k), "name"), label))
					label = js(json_array_get(form, k), "label");
			services_size_text(json_integer_value(json_object_get(f, "size")), 1, size, sizeof(size));
			snprintf(line, sizeof(line), "%s (%s, %s)", js(f, "filename"), js(f, "mime"), size);
			doc_row(d, label, line);
		}
	}
	doc_para(d, "Simpan tanda terima ini. Status permohonan dapat dilacak tanpa masuk dengan nomor registrasi di "
		    "atas, di alamat berikut. Target selesai dihitung dalam hari kerja dan berhenti sementara selama "
		    "permohonan dikembalikan untuk perbaikan.");
	snprintf(url, sizeof(url), "%s/t/%s/lacak?nomor=%s", base_url, tenant, js(a, "number"));
	doc_row(d, "Lacak status", url);
	snprintf(url, sizeof(url), "%s/v/%s", base_url, js(a, "verify_code"));
	doc_qr(d, url, "Pindai kode QR untuk memeriksa keaslian tanda terima ini.");
	doc_footer(d, "Dokumen ini diterbitkan secara elektronik oleh sigap dan sah tanpa tanda tangan basah.");
	rc = doc_render(d, out);
out:
	doc_free(d);
	json_decref(a);
	return rc;
}
