/**
 * The region estate generator: writes examples/region.yaml, and bigger estates of the same shape for the benches.
 *
 * The region is the estate of the story archipel serves (docs/architecture.md): a regional government with
 * about 150 services from some fifteen vendors, a dozen of them critical, two zones and a witness. The
 * catalogue below is written by hand (names, vendors, tiers, business flows), so the file reads like a real
 * estate; shared-service flows (central logging, single sign-on, mail relay, GIS, metrics scraping, time)
 * are added by rules, as an operator would add them. No randomness: the same options give the same bytes.
 *
 * Bigger estates (bench/compile.ts) repeat the business domains as numbered replicas (`-r2`, `-r3`...) that
 * keep talking to the single set of shared services, so fan-in on the directory, the log collector and the
 * SSO grows as it would in a larger organisation.
 *
 * `npm run gen:region` rewrites examples/region.yaml; `--check` exits 1 when the committed file is stale;
 * `--applications N` prints an estate of N applications on stdout.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { ApplicationSpec, BackupLevelSpec, DataClassName, EstateSpec, FlowSpec, TierName } from '../src/spec/schema.ts';

type Compute = NonNullable<ApplicationSpec['compute']>;

/** One service of the catalogue, in a compact form expanded by expandService(). */
interface Service {
  n: string;
  d: string;
  tier?: TierName;
  c?: Compute;
  /** Instances per zone. */
  i?: number;
  port?: number;
  ports?: { name: string; port: number; protocol?: 'tcp' | 'udp' }[];
  /** Health by TCP connect (non-HTTP main port); default HTTP /healthz. */
  tcp?: boolean;
  /** Has a user interface: signs users in through the SSO. */
  ui?: boolean;
  /** Sends mail through the relay. */
  mail?: boolean;
  /** Uses the shared GIS. */
  geo?: boolean;
  /** Needs a reference clock over NTP. */
  ntp?: boolean;
  /** Business flows: `app`, `app:port`, `bucket/NAME`. */
  to?: string[];
  db?: string;
  cache?: string;
  bucket?: { name: string; class: DataClassName; expireAfter?: string; retainFor?: string };
  /** Host prefix under region.example, and who may access. */
  expose?: { host: string; allow: string[]; managed?: boolean; rate?: boolean };
  zones?: string[];
  objectives?: { rto?: string; rpo?: string };
  observe?: boolean;
}

interface Domain {
  title: string;
  vendor: string;
  /** Shared services exist once, even in replicated (bench) estates. */
  shared?: boolean;
  services: Service[];
}

const DOMAIN = 'region.example';

/** The catalogue: 154 services, 16 vendors. Order is the file's order. */
export const CATALOGUE: Domain[] = [
  {
    title: 'Platform: identity, logging, mail relay, time, administration',
    vendor: 'in-house',
    shared: true,
    services: [
      { n: 'directory', d: 'LDAP directory of agents, schools staff and service accounts', tier: 'important', c: 'baremetal', i: 2, port: 389, ports: [{ name: 'ldaps', port: 636 }], tcp: true, ntp: true },
      { n: 'sso', d: 'Single sign-on (OpenID Connect) for every agent-facing application', tier: 'critical', i: 2, to: ['directory', 'pki'], db: 'people', cache: 'sessions' },
      { n: 'mail-relay', d: 'Outbound SMTP relay for application notifications', tier: 'important', i: 2, port: 25, tcp: true, to: ['mail-antispam'] },
      { n: 'pki', d: 'Internal certificate authority and OCSP responder', tier: 'important', c: 'baremetal', to: ['directory'], ntp: true },
      { n: 'log-collector', d: 'Central log collection (syslog over TLS)', tier: 'important', i: 2, port: 6514, tcp: true, to: ['siem'] },
      { n: 'siem', d: 'Security event correlation and alerting', tier: 'important', mail: true, to: ['tickets-api', 'directory'] },
      { n: 'metrics', d: 'Metrics collection and alerting: scrapes every HTTP service', port: 9090, tcp: true, mail: true, to: ['tickets-api'] },
      { n: 'time-server', d: 'Reference clock for servers, badge readers and canteen terminals', c: 'baremetal', ports: [{ name: 'ntp', port: 123, protocol: 'udp' }] },
      { n: 'antivirus', d: 'Malware scanning of every uploaded file', tier: 'important', port: 3310, tcp: true },
      { n: 'print-server', d: 'Print queues for offices and schools', port: 631, tcp: true, to: ['directory'] },
      { n: 'file-share', d: 'Departmental file shares', port: 445, tcp: true, to: ['directory', 'antivirus'] },
      { n: 'api-gateway', d: "Internal API gateway between vendors' applications", tier: 'important', i: 2, to: ['aides-api', 'tickets-api', 'schools-directory', 'finance-suppliers', 'transport-realtime'] },
      { n: 'bastion', d: "Administration bastion for vendors' remote maintenance", tier: 'important', ui: true, to: ['directory', 'pki', 'password-vault'], expose: { host: 'bastion', allow: ['group:it-ops'], managed: true } },
      { n: 'vpn-gateway', d: "Per-application VPN for the agents' 1,000 laptops (zero trust)", tier: 'important', i: 2, to: ['directory', 'pki', 'device-manager'] },
      { n: 'device-manager', d: 'Laptop fleet management: inventory, certificates, device firewall policy', to: ['directory', 'pki', 'tickets-inventory'] },
      { n: 'password-vault', d: 'Secrets vault for administrators', tier: 'important', to: ['directory'] },
      { n: 'intranet', d: "Agents' intranet", c: 'kubernetes', ui: true, to: ['ged-repository', 'hr-core'], expose: { host: 'intranet', allow: ['group:staff'] } },
      { n: 'visio', d: 'Video conferencing', ui: true, to: ['mail-calendar'], expose: { host: 'visio', allow: ['group:staff'] } },
      { n: 'chat', d: 'Instant messaging for agents', ui: true, to: ['directory', 'file-share'] },
    ],
  },
  {
    title: 'Geographic information system (shared)',
    vendor: 'GeoCarto',
    shared: true,
    services: [
      { n: 'gis', d: 'Shared map and spatial API used by transport, grants, buildings and open data', tier: 'important', i: 2, to: ['gis-tiles', 'gis-geocoder'], db: 'gis' },
      { n: 'gis-tiles', d: 'Map tile server', db: 'gis' },
      { n: 'gis-geocoder', d: 'Address geocoding', db: 'gis' },
      { n: 'gis-cadastre', d: 'Land registry layers, imported monthly', to: ['gis'], db: 'gis' },
      { n: 'gis-editor', d: 'Editing service for the cartography team', ui: true, to: ['gis', 'gis-cadastre'] },
      { n: 'gis-portal', d: 'Public map viewer', ui: true, to: ['gis', 'gis-tiles'], expose: { host: 'maps', allow: ['public'], rate: true } },
    ],
  },
  {
    title: 'Finance, procurement and contracts',
    vendor: 'Civitas',
    services: [
      { n: 'finance-ledger', d: 'General ledger and accounting entries', tier: 'critical', c: 'baremetal', i: 2, to: ['finance-budget', 'finance-assets'], db: 'finance', ntp: true },
      { n: 'finance-payments', d: 'Supplier, salary and grant payments (SEPA files)', tier: 'critical', i: 2, to: ['finance-ledger', 'finance-treasury', 'finance-suppliers', 'finance-bank-gw'], db: 'finance', mail: true },
      { n: 'finance-budget', d: 'Budget preparation and commitments', tier: 'important', to: ['finance-ledger'], db: 'finance' },
      { n: 'finance-invoices', d: 'Incoming invoices: capture, approval, payment requests', tier: 'important', to: ['finance-suppliers', 'finance-ledger', 'ged-repository'], db: 'finance', mail: true },
      { n: 'finance-suppliers', d: 'Supplier register and bank details', tier: 'important', db: 'finance' },
      { n: 'finance-treasury', d: 'Cash management and forecasts', tier: 'important', to: ['finance-bank-gw'], db: 'finance' },
      { n: 'finance-bank-gw', d: 'Bank connectivity gateway (EBICS)', tier: 'important', to: ['pki'] },
      { n: 'finance-assets', d: 'Fixed assets register', to: ['finance-ledger'], db: 'finance' },
      { n: 'finance-einvoicing', d: "Connector to the State's e-invoicing platform", tier: 'important', to: ['finance-invoices'] },
      { n: 'finance-reporting', d: 'Financial dashboards for management', to: ['finance-ledger', 'finance-budget'] },
      { n: 'finance-portal', d: 'Finance front office for accountants', tier: 'important', i: 2, ui: true, to: ['finance-ledger', 'finance-budget', 'finance-invoices', 'finance-payments', 'finance-reporting'], cache: 'sessions', expose: { host: 'finance', allow: ['group:finance'], managed: true } },
      { n: 'finance-signature', d: 'Electronic signature of payment orders', tier: 'important', to: ['finance-payments', 'pki'] },
      { n: 'procurement-tenders', d: 'Tender preparation and bid analysis', ui: true, to: ['contracts-registry', 'ged-repository'], db: 'shared' },
      { n: 'procurement-platform', d: 'Public procurement platform for suppliers', tier: 'important', to: ['procurement-tenders', 'antivirus'], mail: true, expose: { host: 'tenders', allow: ['public'], rate: true } },
      { n: 'contracts-registry', d: 'Contracts register', to: ['finance-suppliers', 'ged-repository'], db: 'shared' },
      { n: 'contracts-execution', d: 'Contract execution and purchase orders', to: ['contracts-registry', 'finance-budget', 'finance-invoices'] },
      { n: 'europe-funds', d: 'European funds management (ERDF, ESF+)', tier: 'important', ui: true, to: ['finance-ledger', 'aides-instruction'], db: 'finance' },
    ],
  },
  {
    title: 'Payroll and human resources',
    vendor: 'Talentis',
    services: [
      { n: 'payroll-engine', d: 'Monthly payroll of 4,000 agents', tier: 'critical', c: 'baremetal', i: 2, to: ['hr-core', 'finance-payments', 'payroll-declarations'], db: 'people', ntp: true },
      { n: 'payroll-portal', d: 'Payroll back office', tier: 'important', ui: true, to: ['payroll-engine', 'payroll-archive'], expose: { host: 'payroll', allow: ['group:hr', 'group:finance'], managed: true } },
      { n: 'payroll-declarations', d: 'Social declarations (DSN) to public bodies', tier: 'important', db: 'people' },
      { n: 'payroll-bank-export', d: 'Salary transfer files for the bank', tier: 'important', to: ['finance-bank-gw', 'payroll-engine'] },
      { n: 'payroll-archive', d: 'Payslip archive', to: ['ged-repository'] },
      { n: 'payroll-simulation', d: 'Payroll simulations for the budget', to: ['payroll-engine', 'finance-budget'] },
      { n: 'hr-core', d: "Agents' records, positions and careers; provisions the directory", tier: 'important', i: 2, to: ['directory'], db: 'people' },
      { n: 'hr-portal', d: 'HR back office', tier: 'important', ui: true, to: ['hr-core', 'hr-absences', 'hr-training', 'hr-recruitment'], expose: { host: 'hr', allow: ['group:hr'], managed: true } },
      { n: 'hr-self-service', d: "Agents' self-service: payslips, leave, expenses", tier: 'important', ui: true, to: ['hr-absences', 'payroll-archive', 'hr-expenses', 'hr-core'], cache: 'sessions', expose: { host: 'agents', allow: ['group:staff'] } },
      { n: 'hr-absences', d: 'Leave and absences', to: ['hr-core', 'payroll-engine'], db: 'people', mail: true },
      { n: 'hr-timesheets', d: 'Working time, fed by badge clocking', to: ['hr-absences', 'badges-controller'] },
      { n: 'hr-training', d: "Agents' training plan", to: ['hr-core'], mail: true },
      { n: 'hr-recruitment', d: 'Job offers and applications', to: ['hr-core', 'antivirus'], db: 'people', mail: true },
      { n: 'hr-careers-site', d: 'Public careers site', ui: true, to: ['hr-recruitment'], expose: { host: 'careers', allow: ['public'], rate: true } },
      { n: 'hr-medical', d: 'Occupational health records', to: ['hr-core'], db: 'people' },
      { n: 'hr-expenses', d: 'Travel expenses', to: ['finance-payments', 'hr-core'] },
    ],
  },
  {
    title: 'Grants (aides): applications, instruction, payment',
    vendor: 'Subventia',
    services: [
      { n: 'aides', d: 'Grants portal: citizens and businesses apply, grants officers instruct', tier: 'critical', i: 2, ui: true, geo: true, mail: true, to: ['aides-instruction', 'aides-api', 'antivirus'], db: 'aides', cache: 'sessions', bucket: { name: 'aides-documents', class: 'personal', retainFor: '2y' }, expose: { host: 'aides', allow: ['group:grants-officers', 'public'], rate: true } },
      { n: 'aides-api', d: 'API for partner bodies (State, departments)', tier: 'important', i: 2, to: ['aides-instruction'], db: 'aides' },
      { n: 'aides-instruction', d: 'Case processing by grants officers', tier: 'critical', i: 2, to: ['aides-scoring', 'aides-payments', 'ged-repository', 'aides-esign', 'bucket/aides-documents'], db: 'aides' },
      { n: 'aides-scoring', d: 'Eligibility rules and scoring' },
      { n: 'aides-payments', d: 'Grant payment orders', tier: 'important', to: ['finance-payments'], db: 'aides' },
      { n: 'aides-esign', d: 'Electronic signature of grant decisions', to: ['pki', 'decisions-registry'] },
      { n: 'aides-ocr', d: 'Text extraction from uploaded documents', to: ['bucket/aides-documents'], cache: 'queues' },
      { n: 'aides-notifications', d: 'Applicant notifications', mail: true, cache: 'queues' },
      { n: 'aides-reporting', d: 'Grants dashboards and open data extracts', to: ['aides-api', 'open-data'] },
      { n: 'aides-controls', d: 'Post-payment checks', to: ['aides-instruction', 'aides-payments'] },
      { n: 'aides-partners', d: 'Co-funding with departments and the State', to: ['aides-api'] },
    ],
  },
  {
    title: 'School canteens: 25,000 pupils a day',
    vendor: 'Cantina',
    services: [
      { n: 'canteen-booking', d: 'Meal booking for families', tier: 'critical', i: 2, ui: true, to: ['canteen-payments', 'canteen-menus', 'canteen-allergies'], db: 'schools', cache: 'canteen', expose: { host: 'canteen', allow: ['public'], rate: true } },
      { n: 'canteen-terminals', d: 'Canteen entry terminals: pupils badge in at lunch', tier: 'critical', i: 2, ntp: true, to: ['badges-controller', 'canteen-booking'], db: 'schools', cache: 'canteen' },
      { n: 'canteen-payments', d: 'Family payments and prepaid accounts', tier: 'critical', i: 2, to: ['finance-payments'], db: 'schools' },
      { n: 'canteen-menus', d: 'Menus and nutrition', to: ['canteen-stock'] },
      { n: 'canteen-stock', d: 'Kitchen stock and supplier orders', to: ['contracts-execution'] },
      { n: 'canteen-allergies', d: 'Individual food allergy plans', tier: 'important', to: ['schools-directory'], db: 'schools' },
      { n: 'canteen-billing', d: 'Monthly billing of families', to: ['canteen-payments', 'finance-ledger'], mail: true },
      { n: 'canteen-reporting', d: 'Attendance and waste dashboards', to: ['canteen-booking', 'canteen-terminals'] },
    ],
  },
  {
    title: 'School access badges',
    vendor: 'Badgeo',
    services: [
      { n: 'badges-controller', d: 'School access control: badge decisions at every door', tier: 'critical', i: 2, ntp: true, db: 'schools' },
      { n: 'badges-readers-gw', d: 'Gateway for 3,000 door readers in 120 schools', tier: 'critical', i: 2, ntp: true, to: ['badges-controller'], db: 'schools' },
      { n: 'badges-enrolment', d: 'Badge issuing for pupils and staff', tier: 'important', to: ['schools-directory', 'badges-controller', 'directory'] },
      { n: 'badges-portal', d: 'Badge management for school staff', tier: 'important', ui: true, to: ['badges-controller', 'badges-enrolment', 'badges-visitors'], expose: { host: 'badges', allow: ['group:teachers'] } },
      { n: 'badges-visitors', d: 'Visitor badges', to: ['badges-controller'] },
      { n: 'badges-audit', d: 'Access logs and investigations', to: ['badges-controller'] },
      { n: 'badges-sync', d: "Nightly sync of pupils from the schools' registry", to: ['schools-directory', 'badges-enrolment'] },
    ],
  },
  {
    title: 'Schools and vocational training',
    vendor: 'EduRegion',
    services: [
      { n: 'schools-directory', d: 'Registry of schools, pupils and classes', tier: 'important', i: 2, to: ['directory'], db: 'schools' },
      { n: 'schools-ent', d: 'Digital workspace for pupils, parents and teachers', tier: 'important', c: 'kubernetes', i: 2, ui: true, to: ['schools-directory', 'canteen-booking', 'schools-transport'], cache: 'sessions', expose: { host: 'ent', allow: ['group:teachers', 'public'], rate: true } },
      { n: 'schools-transport', d: 'School transport registrations', to: ['transport-school-buses', 'schools-directory'] },
      { n: 'schools-maintenance', d: 'Maintenance requests in schools', to: ['tickets-api', 'buildings-maintenance'] },
      { n: 'schools-inventory', d: "Schools' IT equipment, including pupils' laptops", to: ['tickets-inventory'] },
      { n: 'schools-wifi', d: 'Wi-Fi captive portal in schools', to: ['directory', 'schools-directory'] },
      { n: 'schools-funding', d: 'Operating grants to schools', to: ['finance-budget', 'schools-directory'] },
      { n: 'training-catalogue', d: 'Vocational training offer', ui: true, to: ['training-registrations'], expose: { host: 'formation', allow: ['public'], rate: true } },
      { n: 'training-registrations', d: 'Trainee registrations', tier: 'important', to: ['training-payments'], db: 'shared', mail: true },
      { n: 'training-payments', d: "Trainees' allowances", tier: 'important', to: ['finance-payments'] },
      { n: 'training-providers', d: 'Training providers and their contracts', to: ['contracts-registry'] },
    ],
  },
  {
    title: "Elected officials' votes and publication of decisions",
    vendor: 'Deliberia',
    services: [
      { n: 'votes-sessions', d: 'Council sessions: convocations and quorum', tier: 'important', to: ['votes-agenda'], db: 'deliberations', mail: true },
      { n: 'votes-ballot', d: 'Electronic voting of elected officials in session', tier: 'critical', i: 2, to: ['votes-sessions', 'pki'], db: 'deliberations', ntp: true },
      { n: 'votes-agenda', d: 'Agenda and reports to the council', to: ['ged-repository'] },
      { n: 'votes-minutes', d: 'Minutes and transcripts', to: ['votes-ballot', 'ged-repository'] },
      { n: 'votes-streaming', d: 'Live streaming of council sessions', to: ['votes-sessions'], expose: { host: 'live', allow: ['public'], rate: true } },
      { n: 'elected-portal', d: 'Portal of elected officials', tier: 'important', ui: true, to: ['votes-ballot', 'votes-agenda', 'votes-sessions'], expose: { host: 'elected', allow: ['group:elected'], managed: true } },
      { n: 'elected-allowances', d: "Elected officials' allowances", to: ['payroll-engine'] },
      { n: 'decisions-registry', d: 'Register of decisions and legal acts', tier: 'important', to: ['votes-ballot', 'ged-archive'], db: 'deliberations' },
      { n: 'decisions-signature', d: 'Signature and timestamping of acts', tier: 'important', to: ['pki', 'decisions-registry'] },
      { n: 'decisions-publication', d: 'Publication of decisions and acts', tier: 'important', i: 2, to: ['decisions-registry', 'website'], expose: { host: 'decisions', allow: ['public'], rate: true } },
      { n: 'decisions-prefecture', d: 'Transmission of acts to the State for legality control', to: ['decisions-registry', 'pki'] },
    ],
  },
  {
    title: 'Video protection: 1,000 cameras, footage kept 30 days',
    vendor: 'Vigilis',
    services: [
      { n: 'cameras', d: 'Video management system; footage in object storage, deleted after 30 days', tier: 'important', i: 2, to: ['cameras-alerts'], bucket: { name: 'cameras', class: 'footage', expireAfter: '30d' } },
      { n: 'cameras-ingest', d: 'Stream ingestion from camera networks', tier: 'important', i: 2, to: ['cameras', 'cameras-recorder'] },
      { n: 'cameras-recorder', d: 'Writes footage segments to the cameras bucket', tier: 'important', i: 2, to: ['bucket/cameras'], objectives: { rto: '15m' } },
      { n: 'cameras-review', d: 'Footage review for authorised operators', tier: 'important', ui: true, to: ['cameras', 'cameras-export'], expose: { host: 'cameras', allow: ['group:security'], managed: true } },
      { n: 'cameras-analytics', d: 'Video analytics on GPU (intrusion, abandoned objects)', c: 'gpu', zones: ['par-1'], to: ['bucket/cameras', 'cameras-alerts'] },
      { n: 'cameras-alerts', d: 'Alerts to the security desk', mail: true, to: ['tickets-api'] },
      { n: 'cameras-export', d: 'Footage extraction for judicial requisitions', to: ['bucket/cameras', 'ged-repository'] },
      { n: 'cameras-health', d: 'Camera fleet monitoring', to: ['cameras-ingest', 'tickets-api'] },
    ],
  },
  {
    title: 'Mail and calendars',
    vendor: 'Messagia',
    services: [
      { n: 'mail-store', d: 'Mailboxes', tier: 'important', i: 2, ports: [{ name: 'imap', port: 143 }, { name: 'lmtp', port: 24 }], to: ['directory'] },
      { n: 'mail-webmail', d: 'Webmail', tier: 'important', ui: true, to: ['mail-store:143', 'mail-calendar'], expose: { host: 'mail', allow: ['group:staff'] } },
      { n: 'mail-antispam', d: 'Mail filtering', tier: 'important', to: ['mail-store:24'] },
      { n: 'mail-calendar', d: 'Calendars and meeting rooms', to: ['directory'], db: 'shared' },
      { n: 'mail-archive', d: 'Legal mail archiving', to: ['mail-store:143', 'ged-archive'] },
      { n: 'mail-lists', d: 'Mailing lists', mail: true, to: ['directory'] },
    ],
  },
  {
    title: 'Document management and archives',
    vendor: 'Archivis',
    services: [
      { n: 'ged-repository', d: 'Document repository: records and versions', tier: 'important', i: 2, to: ['ged-indexer', 'ged-archive'], db: 'ged' },
      { n: 'ged-indexer', d: 'Full-text indexing', cache: 'queues' },
      { n: 'ged-viewer', d: 'Document viewer', to: ['ged-repository'] },
      { n: 'ged-workflow', d: 'Approval workflows', to: ['ged-repository'], db: 'ged', mail: true },
      { n: 'ged-ocr', d: 'Text recognition of scanned documents', to: ['ged-repository'], cache: 'queues' },
      { n: 'ged-capture', d: 'Scanning and mail-room capture', to: ['ged-ocr', 'file-share', 'antivirus'] },
      { n: 'ged-archive', d: 'Electronic archiving with legal value', tier: 'important', to: ['pki'], db: 'ged' },
      { n: 'ged-portal', d: 'Document management front office', ui: true, to: ['ged-repository', 'ged-viewer', 'ged-workflow'], expose: { host: 'docs', allow: ['group:staff'] } },
      { n: 'archives-portal', d: 'Historical archives for the public', to: ['ged-archive'], expose: { host: 'archives', allow: ['public'], rate: true } },
    ],
  },
  {
    title: 'IT service desk',
    vendor: 'Helpline',
    services: [
      { n: 'tickets-desk', d: 'Service desk for agents', ui: true, to: ['tickets-api', 'tickets-knowledge'], expose: { host: 'support', allow: ['group:staff'] } },
      { n: 'tickets-api', d: 'Ticket API used by monitoring and applications', tier: 'important', to: ['tickets-notifications'], db: 'shared' },
      { n: 'tickets-inventory', d: 'Configuration management database', to: ['directory'], db: 'shared' },
      { n: 'tickets-notifications', d: 'Ticket notifications', mail: true, cache: 'queues' },
      { n: 'tickets-knowledge', d: 'Knowledge base' },
      { n: 'tickets-reporting', d: 'Service level reporting', to: ['tickets-api'] },
    ],
  },
  {
    title: 'Regional transport',
    vendor: 'Mobilis',
    services: [
      { n: 'transport-schedules', d: 'Regional bus and train timetables', tier: 'important', geo: true, to: ['transport-realtime'] },
      { n: 'transport-realtime', d: 'Real-time vehicle positions', tier: 'important', i: 2, geo: true },
      { n: 'transport-ticketing', d: 'Ticket sales and validation', tier: 'important', i: 2, to: ['finance-ledger'], db: 'shared' },
      { n: 'transport-subscriptions', d: 'Subscriptions for commuters and pupils', tier: 'important', ui: true, to: ['transport-ticketing', 'transport-school-buses'], expose: { host: 'transport', allow: ['public'], rate: true } },
      { n: 'transport-school-buses', d: "School bus routes and pupils' passes", geo: true, to: ['schools-directory'] },
      { n: 'transport-reporting', d: 'Ridership dashboards', to: ['transport-ticketing', 'open-data'] },
    ],
  },
  {
    title: 'Website and citizen services',
    vendor: 'Publica',
    services: [
      { n: 'website', d: "The region's public website", tier: 'important', c: 'kubernetes', i: 2, to: ['website-cms'], expose: { host: 'www', allow: ['public'], rate: true } },
      { n: 'website-cms', d: 'Content management for the website', ui: true },
      { n: 'citizen-account', d: "Citizens' account: one sign-in for every citizen service", tier: 'important', i: 2, to: ['aides', 'canteen-booking', 'transport-subscriptions'], cache: 'sessions', expose: { host: 'account', allow: ['public'], rate: true } },
      { n: 'citizen-forms', d: 'Online forms', to: ['antivirus', 'ged-capture'], mail: true },
      { n: 'citizen-appointments', d: 'Appointments at regional offices', to: ['citizen-account'], mail: true },
      { n: 'open-data', d: 'Open data portal', geo: true, expose: { host: 'data', allow: ['public'], rate: true } },
      { n: 'newsletter', d: 'Newsletters to citizens', mail: true, to: ['website-cms'] },
      { n: 'economy-crm', d: 'Business support relationship management (flows being learned: observe mode)', geo: true, to: ['aides-api'], observe: true },
    ],
  },
  {
    title: 'Buildings, energy and fleet',
    vendor: 'Patrimonia',
    services: [
      { n: 'buildings-assets', d: 'Buildings and land: high schools and offices', geo: true, to: ['finance-assets'] },
      { n: 'buildings-maintenance', d: 'Planned and corrective maintenance', to: ['buildings-assets', 'tickets-api'] },
      { n: 'buildings-energy', d: 'Energy monitoring of buildings', to: ['buildings-assets'] },
      { n: 'buildings-booking', d: 'Room and vehicle booking', ui: true, mail: true, to: ['buildings-fleet'] },
      { n: 'buildings-fleet', d: 'Vehicle fleet', to: ['buildings-assets'] },
    ],
  },
];

export interface Database {
  synchronous: boolean;
  why: string;
}
/** Postgres clusters; every critical application uses a synchronous one (its recovery point is 0s). */
export const DATABASES: Record<string, Database> = {
  finance: { synchronous: true, why: 'ledger and payments: no lost write' },
  people: { synchronous: true, why: 'payroll, HR and single sign-on' },
  aides: { synchronous: true, why: 'grant applications and decisions' },
  schools: { synchronous: true, why: 'canteens and badges: 25,000 pupils a day' },
  deliberations: { synchronous: true, why: 'votes and legal acts' },
  ged: { synchronous: false, why: 'document metadata' },
  gis: { synchronous: false, why: 'spatial data (rebuilt from sources)' },
  shared: { synchronous: false, why: 'standard applications' },
};
export const CACHES = ['sessions', 'canteen', 'queues'];

const USERS: [string, string, string[]][] = [
  ['alice.martin', 'Alice Martin', ['grants-officers', 'staff']],
  ['bob.bernard', 'Bob Bernard', ['grants-officers', 'staff']],
  ['chloe.dubois', 'Chloe Dubois', ['grants-officers', 'staff']],
  ['david.thomas', 'David Thomas', ['finance', 'staff']],
  ['emma.robert', 'Emma Robert', ['finance', 'staff']],
  ['farid.richard', 'Farid Richard', ['hr', 'staff']],
  ['gaelle.petit', 'Gaelle Petit', ['hr', 'finance', 'staff']],
  ['hugo.durand', 'Hugo Durand', ['teachers']],
  ['ines.leroy', 'Ines Leroy', ['teachers']],
  ['jules.moreau', 'Jules Moreau', ['teachers']],
  ['karim.simon', 'Karim Simon', ['elected']],
  ['laura.laurent', 'Laura Laurent', ['elected']],
  ['marc.lefebvre', 'Marc Lefebvre', ['security', 'staff']],
  ['nadia.michel', 'Nadia Michel', ['security', 'staff']],
  ['olivier.garcia', 'Olivier Garcia', ['it-ops', 'staff']],
  ['pauline.david', 'Pauline David', ['it-ops', 'staff']],
  ['quentin.bertrand', 'Quentin Bertrand', ['staff']],
  ['rose.roux', 'Rose Roux', ['staff']],
];
/** Users who must use a second factor: everyone with access to money, people's data, footage or votes. */
const MFA_GROUPS = new Set(['finance', 'hr', 'security', 'it-ops', 'elected', 'grants-officers']);

export const BACKUPS: BackupLevelSpec[] = [
  { level: 'zone', every: '15m', keep: { hourly: 24 } },
  { level: 'cross-zone', every: '1h', keep: { daily: 7 } },
  { level: 'vault', every: '1d', keep: { monthly: 12 }, immutable: true },
];

export interface RegionOptions {
  /** Number of applications (default: the catalogue, 154). */
  applications?: number;
  /** Override the address plan; by default chosen to fit (see addressing()). */
  addressPool?: string;
  networkPrefix?: number;
}

export interface GeneratedRegion {
  spec: EstateSpec;
  /** The YAML text, with the modeline first and a comment per domain. */
  text: string;
}

const SHARED = new Set(CATALOGUE.filter((d) => d.shared).flatMap((d) => d.services.map((s) => s.n)));
const CATALOGUE_SIZE = CATALOGUE.reduce((n, d) => n + d.services.length, 0);

/** Replica k of a name: k = 1 is the catalogue itself. Shared services are never replicated. */
function replica(name: string, k: number): string {
  return k === 1 || SHARED.has(name) ? name : `${name}-r${k}`;
}

/** Main port of a catalogue service (default 8080). */
function mainPort(s: Service): number {
  return s.port ?? 8080;
}

const BY_NAME = new Map(CATALOGUE.flatMap((d) => d.services.map((s) => [s.n, s] as const)));

/** A flow to a catalogue service; the port is written when it is not the default 8080, for the reader. */
function flowTo(target: string, k: number, port?: number, protocol?: 'udp'): FlowSpec {
  if (target.startsWith('bucket/')) return { to: `bucket/${replica(target.slice(7), k)}` };
  const svc = BY_NAME.get(target);
  if (!svc) throw new Error(`catalogue: unknown flow target ${target}`);
  const p = port ?? mainPort(svc);
  const flow: FlowSpec = { to: replica(target, k) };
  if (p !== 8080) flow.port = p;
  if (protocol) flow.protocol = protocol;
  return flow;
}

/** The flows of one service: its business flows, then shared-service flows added by rule. */
function flowsOf(s: Service, k: number): FlowSpec[] {
  const flows: FlowSpec[] = [];
  for (const t of s.to ?? []) {
    const [target, port] = t.split(':');
    flows.push(flowTo(target!, k, port ? Number(port) : undefined));
  }
  if (s.ui && s.n !== 'sso') flows.push(flowTo('sso', k));
  if (s.mail && s.n !== 'mail-relay') flows.push(flowTo('mail-relay', k));
  if (s.geo) flows.push(flowTo('gis', k));
  if (s.ntp) flows.push(flowTo('time-server', k, 123, 'udp'));
  if (s.n !== 'log-collector') flows.push(flowTo('log-collector', k));
  // The metrics collector pulls: it scrapes every catalogue service whose main port serves HTTP (not the
  // replicas of bench estates, so that the shared collector's fan-out stays that of the region).
  if (s.n === 'metrics') {
    for (const d of CATALOGUE) {
      for (const t of d.services) {
        if (t.n !== 'metrics' && mainPort(t) === 8080) {
          flows.push(flowTo(t.n, k));
        }
      }
    }
  }
  const seen = new Set<string>();
  return flows.filter((f) => {
    const key = `${f.to}:${f.port ?? ''}:${f.protocol ?? ''}`;
    if (seen.has(key) || f.to === replica(s.n, k)) return false;
    seen.add(key);
    return true;
  });
}

function expandService(s: Service, vendor: string, k: number): ApplicationSpec {
  const app: ApplicationSpec = { description: s.d, vendor, tier: s.tier ?? 'standard' };
  if (s.c) app.compute = s.c;
  app.instances = s.i ?? 1;
  if (s.zones) app.zones = s.zones;
  if (s.port) app.port = s.port;
  if (s.ports) app.ports = s.ports.map((p) => ({ ...p }));
  app.health = s.tcp ? { tcp: true } : { http: '/healthz' };
  if (s.expose) {
    const host = `${s.expose.host}${k === 1 ? '' : `-r${k}`}.${DOMAIN}`;
    app.expose = { host, allow: [...s.expose.allow] };
    if (s.expose.managed) Object.assign(app.expose, { device: 'managed', mfa: true });
    if (s.expose.rate) app.expose.rateLimit = { requests: 100, per: '10s' };
  }
  app.flows = flowsOf(s, k);
  const data: NonNullable<ApplicationSpec['data']> = {};
  if (s.db) data.database = { cluster: replica(s.db, k), name: s.n };
  if (s.cache) data.cache = { cluster: replica(s.cache, k) };
  if (s.bucket) {
    const { name, ...rest } = s.bucket;
    data.bucket = { name: replica(name, k), ...rest };
  }
  if (Object.keys(data).length > 0) app.data = data;
  if (s.objectives) app.objectives = { ...s.objectives };
  if (s.observe) app.observe = true;
  return app;
}

/** Address plan that fits: the default /26 blocks of 198.18.0.0/15 hold 2,048 networks (minus 8 reserved). */
export function addressing(networks: number): { addressPool?: string; networkPrefix?: number } {
  // Stay below three quarters full so that hashed placement keeps probing short.
  if (networks <= 1536) return {};
  if (networks <= 6144) return { networkPrefix: 28 };
  return { addressPool: '100.64.0.0/10', networkPrefix: 28 };
}

/** Build the estate (pure, deterministic). */
export function generateRegion(options: RegionOptions = {}): GeneratedRegion {
  const wanted = options.applications ?? CATALOGUE_SIZE;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error(`applications must be a positive integer, got ${wanted}`);
  const sections: { title: string; names: string[] }[] = [];
  const applications: Record<string, ApplicationSpec> = {};
  let count = 0;
  for (let k = 1; count < wanted; k += 1) {
    for (const domain of CATALOGUE) {
      if (k > 1 && domain.shared) continue;
      const names: string[] = [];
      for (const s of domain.services) {
        if (count >= wanted) break;
        const name = replica(s.n, k);
        applications[name] = expandService(s, domain.vendor, k);
        names.push(name);
        count += 1;
      }
      if (names.length > 0) sections.push({ title: k === 1 ? `${domain.title} (${domain.vendor})` : `${domain.title} (${domain.vendor}), replica ${k}`, names });
    }
  }
  // A truncated estate keeps only the flows and data services whose other end exists.
  const databases: NonNullable<EstateSpec['databases']> = {};
  const caches: NonNullable<EstateSpec['caches']> = {};
  const buckets = new Set<string>();
  for (const app of Object.values(applications)) {
    if (app.data?.database) {
      const base = app.data.database.cluster.replace(/-r[0-9]+$/, '');
      databases[app.data.database.cluster] = { engine: 'postgres', synchronous: DATABASES[base]!.synchronous };
    }
    if (app.data?.cache) caches[app.data.cache.cluster] = { engine: 'redis' };
    if (app.data?.bucket) buckets.add(app.data.bucket.name);
  }
  const sorted = <T>(record: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  for (const app of Object.values(applications)) {
    app.flows = (app.flows ?? []).filter((f) => (f.to.startsWith('bucket/') ? buckets.has(f.to.slice(7)) : f.to in applications));
  }
  const groups = new Map<string, string[]>();
  for (const [user, , gs] of USERS) for (const g of gs) groups.set(g, [...(groups.get(g) ?? []), user]);
  const networks = Object.keys(applications).length + Object.keys(databases).length + Object.keys(caches).length + buckets.size + 8;
  const plan = { ...addressing(networks), ...(options.addressPool ? { addressPool: options.addressPool } : {}), ...(options.networkPrefix ? { networkPrefix: options.networkPrefix } : {}) };
  const spec: EstateSpec = {
    estate: 'region',
    zones: ['par-1', 'par-2'],
    witness: 'par-3',
    ...plan,
    firewalls: { privateNetworksPerFirewall: 20, unitCost: 7500 },
    applications,
    databases: sorted(databases),
    caches: sorted(caches),
    backups: BACKUPS.map((b) => ({ ...b, keep: { ...b.keep } })),
    access: {
      groups: Object.fromEntries([...groups.entries()].sort(([a], [b]) => a.localeCompare(b))),
      users: Object.fromEntries(USERS.map(([user, name, gs]) => [user, { name, mfa: gs.some((g) => MFA_GROUPS.has(g)) }])),
    },
  };
  return { spec, text: renderRegionYaml(spec, sections) };
}

// ---- YAML rendering: block structure by hand, small values in flow style, so the file reads like a hand-written one.

const YAML_WORDS = /^(true|false|yes|no|on|off|null|y|n|~)$/i;

/** A scalar in flow context (inside { } or [ ]): plain when unambiguous, else a JSON (= YAML) double-quoted string. */
function scalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  if (/^[A-Za-z0-9/][A-Za-z0-9._/@-]*$/.test(s) && !YAML_WORDS.test(s) && !/^[-+]?[0-9._]+([eE][-+]?[0-9]+)?$|^0[xo]/.test(s)) return s;
  return JSON.stringify(s);
}

/** A scalar as a block mapping value: prose may stay plain if it cannot be misread. */
function blockScalar(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z][A-Za-z0-9 ,.'()/+-]*$/.test(value) && !YAML_WORDS.test(value) && !value.endsWith(' ')) return value;
  return scalar(value);
}

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{ ${entries.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(', ')} }`;
  }
  return scalar(value);
}

/** Render an estate in the house layout (used for the region; keys in a fixed, readable order). */
export function renderRegionYaml(spec: EstateSpec, sections: { title: string; names: string[] }[]): string {
  const apps = Object.keys(spec.applications).length;
  const flows = Object.values(spec.applications).reduce((n, a) => n + (a.flows?.length ?? 0), 0);
  const out: string[] = [
    '# yaml-language-server: $schema=../schema/estate.schema.json',
    '# A regional government estate: services from some fifteen vendors across two zones and a witness.',
    `# ${apps} applications, ${flows} declared flows. Generated by scripts/gen-region.ts (npm run gen:region): edit the`,
    '# generator, not this file.',
    `estate: ${spec.estate}`,
    `zones: ${flow(spec.zones)}`,
  ];
  if (spec.witness) out.push(`witness: ${spec.witness}`);
  if (spec.addressPool) out.push(`addressPool: ${spec.addressPool}`);
  if (spec.networkPrefix) out.push(`networkPrefix: ${spec.networkPrefix}`);
  if (spec.firewalls) out.push(`firewalls: ${flow(spec.firewalls)}`);
  out.push('applications:');
  const order = ['description', 'vendor', 'tier', 'compute', 'instances', 'zones', 'port', 'ports', 'health', 'expose', 'flows', 'data', 'objectives', 'observe'];
  for (const section of sections) {
    out.push(`  # ${section.title}`);
    for (const name of section.names) {
      const app = spec.applications[name]! as Record<string, unknown>;
      const unknown = Object.keys(app).filter((key) => !order.includes(key));
      if (unknown.length > 0) throw new Error(`renderRegionYaml: no place for ${unknown.join(', ')}`);
      out.push(`  ${name}:`);
      for (const key of order) {
        const value = app[key];
        if (value === undefined) continue;
        if (key === 'flows' && Array.isArray(value)) {
          if (value.length === 0) out.push('    flows: []');
          else {
            out.push('    flows:');
            for (const f of value) out.push(`      - ${flow(f)}`);
          }
        } else if (typeof value === 'object') out.push(`    ${key}: ${flow(value)}`);
        else out.push(`    ${key}: ${blockScalar(value)}`);
      }
    }
  }
  const dbs = spec.databases ?? {};
  if (Object.keys(dbs).length > 0) {
    out.push('databases:');
    for (const [name, db] of Object.entries(dbs)) {
      const why = DATABASES[name.replace(/-r[0-9]+$/, '')]?.why;
      out.push(`  ${name}: ${flow(db)}${why ? ` # ${why}` : ''}`);
    }
  }
  const caches = spec.caches ?? {};
  if (Object.keys(caches).length > 0) {
    out.push('caches:');
    for (const [name, c] of Object.entries(caches)) out.push(`  ${name}: ${flow(c)}`);
  }
  if (spec.backups) {
    out.push('backups:');
    for (const b of spec.backups) out.push(`  - ${flow(b)}`);
  }
  if (spec.access) {
    out.push('access:');
    out.push('  groups:');
    for (const [g, users] of Object.entries(spec.access.groups ?? {})) out.push(`    ${g}: ${flow(users)}`);
    out.push('  users:');
    for (const [u, info] of Object.entries(spec.access.users ?? {})) out.push(`    ${u}: ${flow(info)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Where the committed region lives. */
export const REGION_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'region.yaml');

async function cli(argv: string[]): Promise<number> {
  const usage = 'usage: tsx scripts/gen-region.ts [--check] [--applications N]';
  if (argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const at = argv.indexOf('--applications');
  if (at >= 0) {
    const n = Number(argv[at + 1]);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`gen-region: --applications needs a positive integer\n${usage}\n`);
      return 2;
    }
    process.stdout.write(generateRegion({ applications: n }).text);
    return 0;
  }
  const { text } = generateRegion();
  if (argv.includes('--check')) {
    const current = await readFile(REGION_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write('gen-region: examples/region.yaml is stale; run npm run gen:region\n');
      return 1;
    }
    process.stderr.write('gen-region: examples/region.yaml is up to date\n');
    return 0;
  }
  await writeFile(REGION_FILE, text);
  process.stderr.write(`gen-region: wrote ${REGION_FILE}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await cli(process.argv.slice(2));
}
