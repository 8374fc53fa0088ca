"""
test_unstaffed_steps.py: a service whose workflow has a step nobody could act on (a step at an OPD
without an active officer, or a kepala OPD step at an OPD without an active kepala OPD) kept its
applications waiting at that step with no word to anyone (found by the first-month audit). The
administrator is now told on the service's page (where saving leads), in the editor and in the
catalogue list; disabling the OPD's last kepala OPD brings the warning, adding an officer takes
it away; citizens never see it.
"""
import html
import re

from harness import TENANT
from test_services import new_service

T = "/t/%s" % TENANT
STEPS = ("Verifikasi berkas | petugas\n"
         "Kajian teknis | petugas | DPUPR\n"
         "Persetujuan Kepala Dinas | kepala_opd | DISDUKCAPIL\n")


def warnings(text):
    return [html.unescape(re.sub(r"\s+", " ", w).strip())
            for w in re.findall(r'<p class="alert svc-unstaffed">(.*?)<a ', text, re.S)]


def test_steps_nobody_could_act_on_are_named(env):
    db = env.new_db()
    srv = env.start_server(db)
    admin = srv.client()
    admin.login(TENANT, "admin")
    code, _, _ = new_service(env, "uji-langkah", STEPS, admin=admin)
    # DPUPR has no official in the demo: step 2 is named, on the page saving leads to, in the editor
    want = ('Langkah 2 "Kajian teknis" ditangani OPD DPUPR, tetapi OPD itu belum punya petugas yang aktif: '
            'permohonan akan tertahan di langkah ini sampai ada.')
    got = warnings(admin.get("%s/layanan/%s" % (T, code)).expect(200).text)
    assert got == [want], got
    assert warnings(admin.get("%s/admin/layanan/%s" % (T, code)).expect(200).text) == [want]
    lst = admin.get("%s/admin/layanan" % T).expect(200).text
    row = re.search(r'<tr><td><a href="%s/admin/layanan/%s">.*?</tr>' % (T, code), lst, re.S).group(0)
    assert "Ada langkah tanpa pejabat: 1" in row, row
    # the demo's services of DISDUKCAPIL (whose officials exist) carry none; those of OPDs without
    # officials in the demo do, rightly
    rows = re.findall(r'<tr><td><a href="%s/admin/layanan/[^"]+">.*?</tr>' % T, lst, re.S)
    own = [x for x in rows if "<td>DISDUKCAPIL</td>" in x and code not in x]
    assert own and not any("Ada langkah tanpa pejabat" in x for x in own), own
    assert any("<td>DPMPTSP</td>" in x and "Ada langkah tanpa pejabat" in x for x in rows)
    # citizens and officers never see it
    w = srv.client()
    w.login(TENANT, "warga")
    page = w.get("%s/layanan/%s" % (T, code)).expect(200).text
    assert "svc-unstaffed" not in page and "tertahan" not in page

    # the OPD's only kepala OPD disabled: step 3 too
    path = "%s/admin/pengguna/kepala_opd" % T
    conf = admin.get(path + "/status").expect(200)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', conf.text))
    admin.post_form(path + "/status", fields).expect(303)
    got = warnings(admin.get("%s/layanan/%s" % (T, code)).expect(200).text)
    assert len(got) == 2 and got[1] == ('Langkah 3 "Persetujuan Kepala Dinas" menunggu kepala OPD DISDUKCAPIL, tetapi '
                                        'OPD itu belum punya kepala OPD yang aktif: permohonan akan tertahan di langkah '
                                        'ini sampai ada.'), got
    # an officer added at DPUPR: its step has someone
    page = admin.get("%s/admin/pengguna" % T).expect(200)
    admin.post_form("%s/admin/pengguna" % T, {"_csrf": page.csrf(), "username": "petugas_dpupr",
                                              "full_name": "Petugas DPUPR", "role": "petugas", "unit": "DPUPR",
                                              "password": "kata-sandi-uji-123"}).expect(303)
    got = warnings(admin.get("%s/layanan/%s" % (T, code)).expect(200).text)
    assert len(got) == 1 and got[0].startswith('Langkah 3 '), got
    # in English
    en = admin.get("%s/layanan/%s" % (T, code), headers={"Accept-Language": "en"}).expect(200).text
    assert "waits for the head of OPD DISDUKCAPIL" in en, warnings(en)
