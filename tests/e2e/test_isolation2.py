"""
test_isolation2.py: findings of an audit of least privilege per tenant and
per role, each reproduced the way the principal concerned would do it
(against the shared demo server):

- an OPD's draft proposal marked for the DPRD is not the DPRD's to read
  before the head approved it for the DPRD (neither its page, its JSON,
  its attachments nor the lists), and a draft never submitted is not the
  leadership's (Sekda, Wakil, Kepala Daerah) either: it is the OPD's until
  the kepala OPD submits it; the administrator's oversight stays.
"""
import re
import uuid

from harness import TENANT

BASE = "/t/%s" % TENANT


def login(env, user):
    c = env.client()
    c.login(TENANT, user)
    return c


def draft(c, title, needs_dprd=True):
    """The OPD user c drafts a proposal (not submitted); returns its id."""
    fields = {"_csrf": c.session_csrf(TENANT), "kind": "telaahan", "title": title,
              "background": "Latar belakang internal OPD", "analysis": "Analisis internal",
              "options": "1. A\n2. B", "proposed": "Usul yang belum final", "urgency": "segera"}
    if needs_dprd:
        fields["needs_dprd"] = "1"
    r = c.post_form(BASE + "/usulan", fields).expect(303)
    m = re.match(r"^/t/[0-9.]+/usulan/(\d+)$", r.header("location") or "")
    assert m, r.header("location")
    return int(m.group(1))


def attach(c, pid):
    boundary = "----iso" + uuid.uuid4().hex
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    body = (("--%s\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n" % (boundary, c.session_csrf(TENANT)))
            .encode() + ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kajian-draf.pdf\"\r\n"
                         "Content-Type: application/pdf\r\n\r\n" % boundary).encode() + data
            + ("\r\n--%s--\r\n" % boundary).encode())
    c.request("POST", "%s/usulan/%d/lampiran" % (BASE, pid), body=body,
              headers={"Content-Type": "multipart/form-data; boundary=" + boundary}).expect(303)
    page = c.get("%s/usulan/%d" % (BASE, pid)).expect(200, contains="kajian-draf.pdf").text
    m = re.search(r'href="(/t/[0-9.]+/usulan/%d/lampiran/[0-9a-f]+)"' % pid, page)
    assert m, page[:3000]
    return m.group(1)


def test_drafts_are_the_opds_until_submitted(env):
    opd = login(env, "petugas")
    title = "Draf DPRD belum diajukan " + uuid.uuid4().hex[:6]
    pid = draft(opd, title)
    att = attach(opd, pid)
    opd.get(att).expect(200)
    page, api = "%s/usulan/%d" % (BASE, pid), "/api/v1/t/%s/usulan/%d" % (TENANT, pid)
    for role in ("dprd", "wakil", "sekda", "kepala_daerah"):
        c = login(env, role)
        r = c.get(page)
        assert r.status == 403 and "Latar belakang internal OPD" not in r.text, (role, r.status, r.text[:800])
        r = c.get(api)
        assert r.status == 403 and "Latar belakang internal OPD" not in r.text, (role, r.status, r.text[:400])
        assert c.get(att).status == 403, role
        lists = c.get(BASE + "/usulan").expect(200).text + c.get(BASE + "/usulan?all=1").expect(200).text
        lists += c.get("/api/v1/t/%s/usulan?all=1" % TENANT).expect(200).text
        assert title not in lists, role
    # the administrator's oversight reads every proposal
    admin = login(env, "admin")
    admin.get(page).expect(200, contains="Latar belakang internal OPD")
    assert title in admin.get("/api/v1/t/%s/usulan?all=1" % TENANT).expect(200).text


def test_dprd_reads_a_dprd_item_only_once_approved_for_it(env):
    # the demo: proposal 1 is approved and at the DPRD; proposals 3 and 4 wait
    # for the leadership (not DPRD items); a DPRD item still waiting for the
    # Sekda, the Wakil or the head is the executive's deliberation
    dprd = login(env, "dprd")
    dprd.get("%s/usulan/1" % BASE).expect(200)
    kepala = login(env, "kepala_opd")
    title = "Raperda masih di pimpinan " + uuid.uuid4().hex[:6]
    pid = draft(kepala, title)
    pk = kepala.get(BASE + "/kunci-tanda-tangan").expect(200)
    if 'name="confirm"' in pk.text:
        kepala.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": pk.csrf(), "passphrase": "sigap-demo-2026",
                                                        "confirm": "sigap-demo-2026"}).expect(200)
    kepala.post_form("%s/usulan/%d/tindakan" % (BASE, pid),
                     {"_csrf": kepala.session_csrf(TENANT), "action": "ajukan",
                      "passphrase": "sigap-demo-2026"}).expect(303)
    # submitted: the Sekda reads it now; the DPRD not yet
    login(env, "sekda").get("%s/usulan/%d" % (BASE, pid)).expect(200, contains=title)
    dprd.get("%s/usulan/%d" % (BASE, pid)).expect(403)
    dprd.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(403)
    assert title not in dprd.get("/api/v1/t/%s/usulan?all=1" % TENANT).expect(200).text
