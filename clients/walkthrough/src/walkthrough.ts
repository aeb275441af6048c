// The README walk-through, run with a client generated from openapi/openapi.json
// by openapi-typescript and called through openapi-fetch. `tsc` fails when the
// requests below no longer fit the spec; the checks below fail when the live
// service answers anything the spec does not document.
import createClient, { type Middleware } from "openapi-fetch";
import { readFileSync } from "node:fs";
import type { paths } from "./schema.js";


const base = process.env.HUB_BASE_URL ?? "http://127.0.0.1:8080";
const adminEmail = process.env.HUB_ADMIN_EMAIL ?? "admin@example.org";
const adminPassword = process.env.HUB_ADMIN_PASSWORD ?? "a long admin passphrase";

type Operation = { responses?: Record<string, { content?: Record<string, unknown> }> };
const spec = JSON.parse(readFileSync(new URL("../../../openapi/openapi.json", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, Operation>>;
};

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

// Every answer must be one the spec documents for that operation, with a
// documented content type.
function specCheck(template: string): Middleware {
  return {
    onResponse({ request, response }) {
      const operation = spec.paths[template]?.[request.method.toLowerCase()];
      if (!operation) fail(`${request.method} ${template} is not in the spec`);
      const documented = operation.responses?.[String(response.status)];
      if (!documented) fail(`${request.method} ${template} answered ${response.status}, which the spec does not document`);
      const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
      const types = Object.keys(documented.content ?? {});
      if (types.length > 0 && !types.includes(type)) {
        fail(`${request.method} ${template} ${response.status} answered ${type}; the spec says ${types.join(", ")}`);
      }
      return undefined;
    },
  };
}

function client(template: string) {
  const c = createClient<paths>({ baseUrl: base });
  c.use(specCheck(template));
  return c;
}

function expectStatus(step: string, response: Response, status: number): void {
  if (response.status !== status) fail(`${step}: expected ${status}, got ${response.status}`);
  console.log(`ok   ${step} (${status})`);
}

const email = `ada.okafor.${Date.now()}@example.org`;
const password = "a long passphrase 42";

const registered = await client("/api/v1/auth/register").POST("/api/v1/auth/register", {
  body: { email, password, display_name: "Ada Okafor" },
});
expectStatus("register", registered.response, 201);
if (registered.data?.email !== email) fail("register: the member's email was not echoed");

const login = await client("/api/v1/auth/login").POST("/api/v1/auth/login", { body: { email, password } });
expectStatus("login", login.response, 200);
const token = login.data?.access_token ?? fail("login: no access_token");
const auth = { Authorization: `Bearer ${token}` };

const taxonomy = await client("/api/v1/taxonomy").GET("/api/v1/taxonomy");
expectStatus("taxonomy", taxonomy.response, 200);

const profile = await client("/api/v1/members/me").PATCH("/api/v1/members/me", {
  headers: auth,
  body: { career_stage: "mid", level_of_practice: "advanced", region: "north_west" },
});
expectStatus("demographics", profile.response, 200);

const created = await client("/api/v1/submissions").POST("/api/v1/submissions", {
  headers: auth,
  body: {
    kind: "improvement_journey",
    title: "Reducing falls after discharge with a 72-hour OT home visit",
    summary: "An OT home visit within 72 hours of discharge cut falls readmissions from 14% to 6%.",
    sections: {
      why_we_started: { problem: "One in seven people over 75 was readmitted after a fall.", aims: "Halve falls readmissions in nine months." },
      what_we_did: { interventions: "A home visit within 72 hours of discharge, equipment fitted on the day." },
      what_we_found: { results: "Readmissions for falls fell from 14% to 6% over 40 weeks." },
      what_it_means: { conclusions: "Early OT home visits should be standard after discharge." },
    },
    priorities: ["optimising_ot", "value_and_impact"],
    practice_areas: ["community_rehabilitation", "older_people"],
    nation: "england",
    region: "north_west",
    impact_evidence: [
      { evidence_type: "economic", description: "Bed days saved", costs_pence: 4200000, savings_pence: 18900000, return_on_investment: 4.5 },
    ],
  },
});
expectStatus("create", created.response, 201);
const id = created.data?.id ?? fail("create: no id");
const etag = created.response.headers.get("etag") ?? fail("create: no ETag");
if (!created.response.headers.get("location")?.endsWith(id)) fail("create: Location does not name the draft");

const stale = await client("/api/v1/submissions/{id}").PATCH("/api/v1/submissions/{id}", {
  params: { path: { id }, header: { "If-Match": '"999"' } },
  headers: auth,
  body: { topics: ["ai_digital_healthcare"] },
});
expectStatus("update with a stale If-Match", stale.response, 412);

const updated = await client("/api/v1/submissions/{id}").PATCH("/api/v1/submissions/{id}", {
  params: { path: { id }, header: { "If-Match": etag } },
  headers: auth,
  body: { topics: ["ai_digital_healthcare"] },
});
expectStatus("update with If-Match", updated.response, 200);

const submitted = await client("/api/v1/submissions/{id}/submit").POST("/api/v1/submissions/{id}/submit", {
  params: { path: { id } },
  headers: { ...auth, "Idempotency-Key": `submit-${id}` },
});
expectStatus("submit", submitted.response, 200);
if (submitted.data?.status !== "submitted") fail(`submit: status is ${submitted.data?.status}`);

const listed = await client("/api/v1/submissions").GET("/api/v1/submissions", {
  params: { query: { mine: true, priority: "value_and_impact", q: "falls", limit: 20 } },
  headers: auth,
});
expectStatus("list", listed.response, 200);
if (!listed.data?.items.some((item) => item.id === id)) fail("list: the submission is missing");

const events = await client("/api/v1/events").GET("/api/v1/events", { headers: auth });
expectStatus("change feed", events.response, 200);
const types = events.data?.items.filter((e) => e.submission_id === id).map((e) => e.type) ?? [];
if (types.join(",") !== "submission.created,submission.updated,submission.submitted") fail(`events: ${types.join(",")}`);

const adminLogin = await client("/api/v1/auth/login").POST("/api/v1/auth/login", {
  body: { email: adminEmail, password: adminPassword },
});
expectStatus("admin login", adminLogin.response, 200);
const admin = { Authorization: `Bearer ${adminLogin.data?.access_token ?? fail("admin login: no token")}` };
const today = new Date().toISOString().slice(0, 10);

// The admin reviews the journey and publishes it.
const claimed = await client("/api/v1/submissions/{id}/claim").POST("/api/v1/submissions/{id}/claim", {
  params: { path: { id } },
  headers: admin,
});
expectStatus("claim", claimed.response, 200);
const scores = {
  clarity_of_problem_and_context: 4,
  measurement_and_data: 4,
  evidence_of_impact: 4,
  involvement_of_people_who_use_services: 4,
  transferability_and_spread: 4,
};
const reviewed = await client("/api/v1/submissions/{id}/reviews").POST("/api/v1/submissions/{id}/reviews", {
  params: { path: { id } },
  headers: admin,
  body: { scores, overall_comment: "Clear measures and a strong result.", decision: "publish" },
});
expectStatus("review: publish", reviewed.response, 201);

// A partner from another organisation reports adopting it; the author may not.
const partnerEmail = `sam.partner.${Date.now()}@example.org`;
const partnerRegistered = await client("/api/v1/auth/register").POST("/api/v1/auth/register", {
  body: { email: partnerEmail, password, display_name: "Sam Partner" },
});
expectStatus("register a partner", partnerRegistered.response, 201);
const partnerLogin = await client("/api/v1/auth/login").POST("/api/v1/auth/login", {
  body: { email: partnerEmail, password },
});
expectStatus("partner login", partnerLogin.response, 200);
const partner = { Authorization: `Bearer ${partnerLogin.data?.access_token ?? fail("partner login: no token")}` };
const adoption = {
  organisation: "Northshire Community NHS Trust",
  organisation_type: "nhs_trust" as const,
  nation: "england" as const,
  region: "north_west" as const,
  adopted_on: today,
  investment_pence: 4500000,
};
const ownWork = await client("/api/v1/submissions/{id}/adoptions").POST("/api/v1/submissions/{id}/adoptions", {
  params: { path: { id } },
  headers: auth,
  body: adoption,
});
expectStatus("the author reports their own adoption", ownWork.response, 403);
const adopted = await client("/api/v1/submissions/{id}/adoptions").POST("/api/v1/submissions/{id}/adoptions", {
  params: { path: { id } },
  headers: partner,
  body: adoption,
});
expectStatus("a partner reports adoption", adopted.response, 201);

// A business case, presented at an idea clinic; the author reads the panel's view.
const businessCase = await client("/api/v1/submissions").POST("/api/v1/submissions", {
  headers: auth,
  body: {
    kind: "business_case",
    title: "Two OT posts for a falls clinic in every primary care network",
    summary: "Falls assessments by OTs in primary care would avoid more admissions than they cost.",
    sections: {
      problem: "People over 75 wait 14 weeks for a falls assessment.",
      proposal: "An OT-led falls clinic in each primary care network.",
      costs_and_benefits: "£120,000 a year; £310,000 of admissions avoided.",
      ask: "Fund two band 7 OT posts for two years.",
    },
    priorities: ["value_and_impact"],
    practice_areas: ["primary_care"],
    impact_evidence: [
      { evidence_type: "economic", description: "Admissions avoided against the cost of the posts", costs_pence: 12000000, savings_pence: 31000000, return_on_investment: 2.6 },
    ],
  },
});
expectStatus("create a business case", businessCase.response, 201);
const caseId = businessCase.data?.id ?? fail("business case: no id");
const caseSubmitted = await client("/api/v1/submissions/{id}/submit").POST("/api/v1/submissions/{id}/submit", {
  params: { path: { id: caseId } },
  headers: auth,
});
expectStatus("submit the business case", caseSubmitted.response, 200);
const clinic = await client("/api/v1/idea-clinics").POST("/api/v1/idea-clinics", {
  headers: admin,
  body: { title: "North West idea clinic", held_on: today, nation: "england", region: "north_west" },
});
expectStatus("hold an idea clinic", clinic.response, 201);
const clinicId = clinic.data?.id ?? fail("clinic: no id");
const presented = await client("/api/v1/idea-clinics/{id}/presentations").POST("/api/v1/idea-clinics/{id}/presentations", {
  params: { path: { id: clinicId } },
  headers: admin,
  body: { submission_id: caseId, feasibility: "high", adoption_likelihood: 4, panel_notes: "Strong economic case; start with one network." },
});
expectStatus("present the case", presented.response, 201);
const panel = await client("/api/v1/submissions/{id}/presentations").GET("/api/v1/submissions/{id}/presentations", {
  params: { path: { id: caseId } },
  headers: auth,
});
expectStatus("the author reads the panel's view", panel.response, 200);
if (panel.data?.[0]?.feasibility !== "high") fail("presentations: the panel's feasibility is missing");

// An admin publishes an impact-evaluation resource; the member lists and downloads it.
const chart = readFileSync(new URL("../../../examples/run-chart.png", import.meta.url));
const resource = await client("/api/v1/resources").POST("/api/v1/resources", {
  headers: admin,
  body: {
    file: "run-chart.png",
    title: "Run charts for improvement journeys",
    approach: "experiential",
    description: "How to read a run chart of your measure.",
  },
  bodySerializer(body) {
    const form = new FormData();
    form.append("file", new Blob([chart], { type: "image/png" }), body.file);
    form.append("title", body.title);
    form.append("approach", body.approach);
    form.append("description", body.description);
    return form;
  },
});
expectStatus("publish a resource", resource.response, 201);
const resourceId = resource.data?.id ?? fail("resource: no id");
const resources = await client("/api/v1/resources").GET("/api/v1/resources", {
  params: { query: { approach: "experiential" } },
  headers: auth,
});
expectStatus("list resources", resources.response, 200);
if (!resources.data?.some((r) => r.id === resourceId)) fail("resources: the resource is missing");
const downloaded = await client("/api/v1/resources/{id}/download").GET("/api/v1/resources/{id}/download", {
  params: { path: { id: resourceId } },
  headers: auth,
  parseAs: "arrayBuffer",
});
expectStatus("download the resource", downloaded.response, 200);
if (downloaded.data?.byteLength !== chart.length) fail("download: the bytes differ from the upload");

const quarter = `${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}`;
const report = await client("/api/v1/reports/quarterly/{quarter}").GET("/api/v1/reports/quarterly/{quarter}", {
  params: { path: { quarter } },
  headers: admin,
});
expectStatus(`quarterly report ${quarter}`, report.response, 200);
const summary = report.data;
if (summary === undefined || typeof summary === "string" || Array.isArray(summary)) fail("report: no JSON body");
if ((summary.idea_clinics?.business_cases_presented.count ?? 0) < 1) fail("report: the presented case is not counted");
if ((summary.spread?.adoptions_reported.count ?? 0) < 1) fail("report: the adoption is not counted");
if ((summary.resources?.downloads.count ?? 0) < 1) fail("report: the download is not counted");

console.log("walk-through passed");
