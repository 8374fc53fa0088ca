/*
 * schema.c: the governance module's tables (migration 5), in the shared SQL
 * dialect of store.h.
 *
 *  - governance_keys: one Ed25519 signing key per official; the private key
 *    is sealed (crypto_secretbox) under a key derived from the official's
 *    passphrase (argon2id with the stored salt and limits).
 *  - governance_proposals: one row per proposal (usulan), its current state,
 *    current content version and the deadline of the step it waits for.
 *  - governance_versions: every content version of a proposal, append-only,
 *    so a signature made over an older version can still be checked.
 *  - governance_steps: the signed chain (submission, recommendation,
 *    consideration, decision, returns), append-only.
 *  - governance_decisions: the final decision (setuju/tolak) of the head,
 *    written once; the code has no UPDATE or DELETE of this table, and the
 *    verification detects any change through the signatures.
 *  - governance_dprd: the DPRD stages of a proposal that needs DPRD approval.
 *  - governance_attachments: files attached to a proposal (file store hashes).
 */
const char migration_governance_sql[] =
	"CREATE TABLE governance_keys ("
	"  tenant TEXT NOT NULL,"
	"  username TEXT NOT NULL,"
	"  full_name TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"   /* hex, 32 bytes */
	"  sealed_key TEXT NOT NULL,"   /* hex, secretbox of the 64-byte secret key */
	"  salt TEXT NOT NULL,"         /* hex, crypto_pwhash_SALTBYTES */
	"  nonce TEXT NOT NULL,"        /* hex, crypto_secretbox_NONCEBYTES */
	"  opslimit BIGINT NOT NULL,"
	"  memlimit BIGINT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, username));"

	"CREATE TABLE governance_proposals ("
	"  id {ID},"
	"  tenant TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"           /* OPD concerned */
	"  kind TEXT NOT NULL,"           /* usulan | telaahan | rancangan */
	"  title TEXT NOT NULL,"          /* current title (copy of the version's) */
	"  urgency TEXT NOT NULL,"        /* biasa | segera | sangat_segera */
	"  needs_dprd BIGINT NOT NULL DEFAULT 0,"
	"  is_public BIGINT NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL,"          /* draf diajukan pertimbangan keputusan dikembalikan disetujui ditolak */
	"  dprd_stage TEXT NOT NULL DEFAULT '',"
	"  content_version BIGINT NOT NULL DEFAULT 1,"
	"  origin TEXT NOT NULL DEFAULT 'opd'," /* opd | pokir */
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  step_since BIGINT NOT NULL DEFAULT 0," /* when the current wait began */
	"  due_at BIGINT NOT NULL DEFAULT 0,"     /* deadline of the current step (0: none) */
	"  reminder BIGINT NOT NULL DEFAULT 0,"   /* 0 none, 1 due-day reminder sent, 2 overdue sent */
	"  version BIGINT NOT NULL DEFAULT 1);"
	"CREATE INDEX governance_proposals_state ON governance_proposals (tenant, state, unit);"
	"CREATE INDEX governance_proposals_due ON governance_proposals (due_at);"

	"CREATE TABLE governance_versions ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  version BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  background TEXT NOT NULL,"
	"  analysis TEXT NOT NULL,"
	"  options TEXT NOT NULL,"
	"  proposed TEXT NOT NULL,"
	"  urgency TEXT NOT NULL,"
	"  needs_dprd BIGINT NOT NULL,"
	"  attachments TEXT NOT NULL DEFAULT ''," /* sorted file hashes, comma-separated */
	"  content_hash TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id, version));"

	"CREATE TABLE governance_steps ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  idx BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"           /* ajukan kembalikan_sekda saran pertimbangan keputusan */
	"  role TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  actor_name TEXT NOT NULL,"
	"  verdict TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  proposal_version BIGINT NOT NULL,"
	"  content_hash TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL,"
	"  extra TEXT NOT NULL DEFAULT ''," /* decision: number and public flag, signed */
	"  public_key TEXT NOT NULL,"
	"  signature TEXT NOT NULL,"
	"  step_hash TEXT NOT NULL,"
	"  signed_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id, idx));"

	"CREATE TABLE governance_decisions ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  token TEXT NOT NULL,"          /* verification link token, 32 hex */
	"  verdict TEXT NOT NULL,"        /* setuju | tolak */
	"  number TEXT NOT NULL,"         /* display number, '' for a rejection */
	"  regno TEXT NOT NULL,"          /* 52.71/KEP/2026/000012 or '' */
	"  seq BIGINT NOT NULL,"
	"  year BIGINT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  note TEXT NOT NULL,"
	"  is_public BIGINT NOT NULL,"
	"  step_idx BIGINT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  decided_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id));"
	"CREATE UNIQUE INDEX governance_decisions_token ON governance_decisions (tenant, token);"
	"CREATE INDEX governance_decisions_public ON governance_decisions (tenant, is_public, decided_at);"

	"CREATE TABLE governance_dprd ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  stage TEXT NOT NULL,"          /* diajukan pembahasan disetujui ditolak */
	"  stage_day TEXT NOT NULL,"      /* YYYY-MM-DD */
	"  note TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id, stage));"

	"CREATE TABLE governance_attachments ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  mime TEXT NOT NULL,"
	"  size BIGINT NOT NULL,"
	"  added_by TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id, hash))";

/* Replacing a signing key whose passphrase is lost (migration 28, replace.c):
 *
 *  - governance_key_requests: an official's request for a new key; its state
 *    menunggu (waiting for the second leader) -> disetujui (the approver
 *    signed the retirement; the new key may be made 24 hours later) ->
 *    selesai (the new key is made), or dibatalkan (cancelled by the official).
 *  - governance_retired_keys: append-only; the old key with the time of its
 *    retirement and the approver's Ed25519 signature over the retirement
 *    message (docs/governance.md). Verification accepts a retired key only
 *    for steps signed before retired_at. Nothing in sigap updates or deletes
 *    a row of it.
 */
const char migration_governance_retire_sql[] =
	"CREATE TABLE governance_key_requests ("
	"  id {ID},"
	"  tenant TEXT NOT NULL,"
	"  username TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  old_public_key TEXT NOT NULL,"
	"  state TEXT NOT NULL,"                   /* menunggu disetujui selesai dibatalkan */
	"  approver_role TEXT NOT NULL,"           /* sekda | kepala_daerah */
	"  requested_at BIGINT NOT NULL,"
	"  approved_by TEXT NOT NULL DEFAULT '',"
	"  approved_at BIGINT NOT NULL DEFAULT 0,"
	"  closed_at BIGINT NOT NULL DEFAULT 0,"
	"  version BIGINT NOT NULL DEFAULT 1);"
	"CREATE INDEX governance_key_requests_user ON governance_key_requests (tenant, username, state);"
	"CREATE INDEX governance_key_requests_state ON governance_key_requests (tenant, state, approver_role);"

	"CREATE TABLE governance_retired_keys ("
	"  tenant TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"              /* hex, 32 bytes */
	"  username TEXT NOT NULL,"
	"  role TEXT NOT NULL,"                    /* the role it signed for */
	"  created_at BIGINT NOT NULL,"            /* when the key was made */
	"  retired_at BIGINT NOT NULL,"            /* steps signed from then on do not verify */
	"  request_id BIGINT NOT NULL,"
	"  approved_by TEXT NOT NULL,"
	"  approver_role TEXT NOT NULL,"
	"  approver_key TEXT NOT NULL,"            /* hex: the approver's public key */
	"  signature TEXT NOT NULL,"               /* hex: Ed25519 over the retirement message */
	"  PRIMARY KEY (tenant, public_key));"
	"CREATE INDEX governance_retired_keys_user ON governance_retired_keys (tenant, username)";

/* Correcting a DPRD stage recorded wrongly (migration 29, dprd.c
 * gov_op_dprd_correct): append-only, one row per correction of a proposal's
 * latest stage, numbered per proposal, with the entry before and after it
 * (stage, YYYY-MM-DD), the reason, who (username, name and role at the
 * time) and when. governance_dprd holds the stage as it now stands; the
 * first correction's "before" is the entry as first recorded. Nothing in
 * sigap updates or deletes a row of it. */
const char migration_governance_dprd_fix_sql[] =
	"CREATE TABLE governance_dprd_corrections ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  seq BIGINT NOT NULL,"             /* 1, 2, ... per proposal */
	"  stage_before TEXT NOT NULL,"
	"  day_before TEXT NOT NULL,"
	"  stage_after TEXT NOT NULL,"
	"  day_after TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  actor_name TEXT NOT NULL,"
	"  actor_role TEXT NOT NULL,"        /* sekda | dprd */
	"  created_at BIGINT NOT NULL,"
	"  PRIMARY KEY (tenant, proposal_id, seq))";

/* Enacting and promulgating a Perda (migration 32, dprd.c gov_op_perda):
 * after the DPRD's joint approval (its stage "disetujui") the Kepala Daerah
 * enacts the Perda (penetapan) and the Sekda promulgates it in the
 * Lembaran Daerah (pengundangan), each a signed step of the proposal's
 * chain. governance_proposals.perda_stage says where it stands ('' waiting
 * for the enactment, ditetapkan, diundangkan); governance_perda keeps one
 * row per act, append-only, with the number the act took (its per-tenant,
 * per-year sequence: regno_next kind PERDA or LD), its date, the signed
 * step and who; verification checks each row against its step. Nothing in
 * sigap updates or deletes a row of it. */
const char migration_governance_perda_sql[] =
	"ALTER TABLE governance_proposals ADD COLUMN perda_stage TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE governance_perda ("
	"  tenant TEXT NOT NULL,"
	"  proposal_id BIGINT NOT NULL,"
	"  act TEXT NOT NULL,"               /* penetapan | pengundangan (the step's kind) */
	"  number TEXT NOT NULL,"            /* Peraturan Daerah Kota Mataram Nomor 5 Tahun 2026 */
	"  regno TEXT NOT NULL,"             /* 52.71/PERDA/2026/000005, 52.71/LD/2026/000005 */
	"  seq BIGINT NOT NULL,"
	"  year BIGINT NOT NULL,"
	"  act_day TEXT NOT NULL,"           /* YYYY-MM-DD */
	"  step_idx BIGINT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  actor_name TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"      /* the step's signing time */
	"  PRIMARY KEY (tenant, proposal_id, act));"
	"CREATE UNIQUE INDEX governance_perda_number ON governance_perda (tenant, act, year, seq)";

/* The reminders about a Perda (migration 33, deadline.c perda_sweep_tx):
 * governance_proposals.perda_reminder is the last one the deadline sweep
 * sent (0 none, 1 the enactment's limit is 7 days away or nearer, 2 that
 * limit passed without the enactment, 3 the enactment waits 7 days for its
 * promulgation), raised by a conditional UPDATE so that each goes once,
 * however many instances sweep; a DPRD stage recorded or corrected sets it
 * back to 0 (the limit is counted from the joint approval's date). The
 * index finds the Perdas still waiting without reading every decided
 * proposal. */
const char migration_governance_perda_reminder_sql[] =
	"ALTER TABLE governance_proposals ADD COLUMN perda_reminder BIGINT NOT NULL DEFAULT 0;"
	"CREATE INDEX governance_proposals_perda ON governance_proposals (dprd_stage, perda_stage)";
