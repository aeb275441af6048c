//! The limits the service enforces, declared in the OpenAPI document from the
//! same constants the domain validates with, so a generated client or form
//! refuses exactly what the service refuses.

use domain::access_token::{Scope, TokenLifetime, TokenName};
use domain::attachment::Caption;
use domain::member::{DisplayName, Password};
use domain::pagination::{FeedPageSize, PageSize};
use domain::report::GapThreshold;
use domain::review::{CRITERIA, SCORE_RANGE};
use domain::submission::search::QUERY_MAX_CHARS;
use domain::submission::validate::{
    DATA_POINTS_MAX, LIST_MAX, MEASURE_NAME_MAX, PENCE_MAX, RETURN_ON_INVESTMENT, SECTION_MAX,
    SHORT_TEXT_MAX, SOURCES_MAX, SUMMARY_MAX, TITLE_MAX, UNIT_MAX, URL_MAX,
};
use domain::taxonomy::{REFERENCE_TERMS, Taxonomy, Vocabulary};
use serde_json::{Map, Value, json};

/// Text the service stores may not hold NUL (PostgreSQL cannot store it).
pub const NO_NUL: &str = "^[^\\u0000]*$";
/// Text that must say something: a character other than white space (and no NUL).
pub const NOT_BLANK: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";
/// An `Idempotency-Key`: 1–255 visible ASCII characters.
pub const IDEMPOTENCY_KEY: &str = "^[!-~]{1,255}$";
/// A page cursor as the service gives it out: the hex of `<micros>~<uuid>`.
pub const CURSOR: &str = "^(3[0-9]){1,18}7e(3[0-9]|6[1-6]){32}$";
/// A token name: something other than white space, and no control characters.
pub const TOKEN_NAME: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// A name shown to others: something other than white space, and no control characters.
pub const NAME: &str = TOKEN_NAME;
/// Text that must say something, with no control characters but line breaks.
pub const TEXT_WITH_LINE_BREAKS: &str = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f][^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// A caption: no control characters but line breaks.
pub const CAPTION: &str = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";
/// A quarter as the service parses it (`2025-Q3` or `FY2025-Q2`, any case,
/// white space around it ignored), for the years 1900 to 9998.
pub const QUARTER: &str = "^\\s*([Ff][Yy])?(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-[Qq][1-4]\\s*$";

/// Where a constraint goes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A property of a component schema.
    Property(&'static str, &'static str),
    /// A component schema itself.
    Schema(&'static str),
    /// A parameter (query, path or header) of one operation, or of every
    /// operation that has it.
    Parameter(Option<&'static str>, &'static str),
}

/// The codes of a vocabulary, from the reference data the migrations store.
pub fn codes(vocabulary: Vocabulary) -> Vec<&'static str> {
    REFERENCE_TERMS
        .iter()
        .filter(|term| term.0 == vocabulary)
        .map(|term| term.1)
        .collect()
}

fn chars(min: usize, max: usize) -> Value {
    let pattern = if min > 0 { NOT_BLANK } else { NO_NUL };
    json!({"minLength": min, "maxLength": max, "pattern": pattern})
}

fn code_of(vocabulary: Vocabulary) -> Value {
    json!({"enum": codes(vocabulary)})
}

fn demographic(vocabulary: Vocabulary) -> Value {
    let mut allowed = codes(vocabulary);
    allowed.push(Taxonomy::PREFER_NOT_TO_SAY);
    json!({"enum": allowed})
}

fn codes_list(vocabulary: Vocabulary) -> Value {
    let allowed = codes(vocabulary);
    json!({"maxItems": allowed.len().max(1), "uniqueItems": true, "items": {"type": "string", "enum": allowed}})
}

fn pence() -> Value {
    json!({"minimum": 0, "maximum": PENCE_MAX})
}

fn page(default: u64, max: u64) -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": max, "default": default})
}

/// Every constraint the service enforces on what clients send.
pub fn constraints() -> Vec<(Target, Value)> {
    use Target::{Property as P, Schema as S};
    #[allow(non_snake_case)]
    let Param = |name| Target::Parameter(None, name);
    #[allow(non_snake_case)]
    let OpParam = |operation, name| Target::Parameter(Some(operation), name);
    use Vocabulary as V;
    let section = chars(0, SECTION_MAX);
    let mut rules = vec![
        // Accounts
        (
            P("RegisterRequest", "email"),
            json!({"format": "email", "maxLength": 254}),
        ),
        (
            P("RegisterRequest", "password"),
            json!({"minLength": Password::MIN_CHARS, "maxLength": Password::MAX_CHARS, "pattern": NO_NUL}),
        ),
        (
            P("RegisterRequest", "display_name"),
            json!({"minLength": 1, "maxLength": DisplayName::MAX_CHARS, "pattern": NAME}),
        ),
        (
            P("ChangePasswordRequest", "new_password"),
            json!({"minLength": Password::MIN_CHARS, "maxLength": Password::MAX_CHARS, "pattern": NO_NUL}),
        ),
        (
            S("ChangePasswordRequest"),
            json!({"required": ["current_password", "new_password"]}),
        ),
        (S("ErasureRequest"), json!({"required": ["password"]})),
        (
            P("UpdateMeRequest", "display_name"),
            json!({"minLength": 1, "maxLength": DisplayName::MAX_CHARS, "pattern": NAME}),
        ),
        (
            P("UploadForm", "caption"),
            json!({"maxLength": Caption::MAX_CHARS, "pattern": CAPTION}),
        ),
        (S("UploadForm"), json!({"additionalProperties": false})),
        (P("UploadForm", "file"), json!({"minLength": 1})),
        // Impact-evaluation resources
        (
            P("ResourceForm", "title"),
            json!({"minLength": 1, "maxLength": domain::resource::TITLE_MAX, "pattern": NAME}),
        ),
        (
            P("ResourceForm", "description"),
            json!({"minLength": 1, "maxLength": domain::resource::DESCRIPTION_MAX, "pattern": TEXT_WITH_LINE_BREAKS}),
        ),
        (S("ResourceForm"), json!({"additionalProperties": false})),
        (P("ResourceForm", "file"), json!({"minLength": 1})),
        (
            OpParam("list_resources", "approach"),
            json!({"enum": domain::resource::Approach::ALL.map(domain::resource::Approach::as_str)}),
        ),
        (
            P("RoleRequest", "role"),
            json!({"enum": ["member", "reviewer", "admin"]}),
        ),
        (
            P("CreateTokenRequest", "name"),
            json!({"maxLength": TokenName::MAX_CHARS, "pattern": TOKEN_NAME}),
        ),
        (
            P("CreateTokenRequest", "scopes"),
            json!({"minItems": 1, "uniqueItems": true, "items": {"type": "string", "enum": Scope::ALL.map(Scope::as_str)}}),
        ),
        (
            P("CreateTokenRequest", "expires_in_days"),
            json!({"minimum": 1, "maximum": TokenLifetime::MAX_DAYS}),
        ),
        // Submissions
        (P("CreateSubmissionRequest", "title"), chars(0, TITLE_MAX)),
        (
            P("CreateSubmissionRequest", "summary"),
            chars(0, SUMMARY_MAX),
        ),
        (P("UpdateSubmissionRequest", "title"), chars(0, TITLE_MAX)),
        (
            P("UpdateSubmissionRequest", "summary"),
            chars(0, SUMMARY_MAX),
        ),
        (P("ImpactEvidence", "description"), chars(1, SECTION_MAX)),
        (P("ImpactEvidence", "costs_pence"), pence()),
        (P("ImpactEvidence", "savings_pence"), pence()),
        (
            P("ImpactEvidence", "return_on_investment"),
            json!({"minimum": RETURN_ON_INVESTMENT.0, "maximum": RETURN_ON_INVESTMENT.1}),
        ),
        (P("Recommendation", "text"), chars(1, SHORT_TEXT_MAX)),
        (P("Recommendation", "reported_investment_pence"), pence()),
        (P("EvidenceSource", "citation"), chars(1, SHORT_TEXT_MAX)),
        (
            P("EvidenceSource", "url"),
            json!({"maxLength": URL_MAX, "pattern": "^https?://[^\\s\\u0000]*$"}),
        ),
        (P("PdsaCycle", "change_idea"), chars(1, SHORT_TEXT_MAX)),
        (S("PdsaCycle"), json!({"required": ["change_idea"]})),
        (P("Measure", "name"), chars(1, MEASURE_NAME_MAX)),
        (P("Measure", "unit"), chars(0, UNIT_MAX)),
        (
            P("Measure", "data_points"),
            json!({"maxItems": DATA_POINTS_MAX}),
        ),
        (P("TransitionRequest", "comment"), chars(0, SHORT_TEXT_MAX)),
        (
            OpParam("unsubscribe", "token"),
            json!({"pattern": domain::notification::TOKEN_PATTERN}),
        ),
        (
            OpParam("unsubscribe_page", "token"),
            json!({"pattern": domain::notification::TOKEN_PATTERN}),
        ),
        (
            OpParam("list_submissions", "cursor"),
            json!({"pattern": CURSOR}),
        ),
        (
            OpParam("review_queue", "cursor"),
            json!({"pattern": CURSOR}),
        ),
        // Reviews
        (S("RubricScores"), json!({"required": CRITERIA})),
        (
            P("ReviewRequest", "overall_comment"),
            chars(0, domain::review::COMMENT_MAX),
        ),
        // Demographics
        (
            P("DemographicsPatchBody", "job_title"),
            chars(1, domain::member::JOB_TITLE_MAX),
        ),
        (
            P("UpdateMeRequest", "job_title"),
            chars(1, domain::member::JOB_TITLE_MAX),
        ),
        // Query parameters
        (Param("limit"), page(PageSize::DEFAULT, PageSize::MAX)),
        // After the general rule: related work has its own, smaller page.
        (
            OpParam("related_submissions", "limit"),
            page(
                domain::submission::search::RELATED_DEFAULT,
                domain::submission::search::RELATED_MAX,
            ),
        ),
        (
            OpParam("list_events", "limit"),
            page(FeedPageSize::DEFAULT, FeedPageSize::MAX),
        ),
        (
            OpParam("list_events", "after"),
            json!({"type": "integer", "minimum": 0, "maximum": i64::MAX}),
        ),
        (OpParam("list_audit", "cursor"), json!({"format": "uuid"})),
        (Param("actor_id"), json!({"format": "uuid"})),
        (Param("target_id"), json!({"format": "uuid"})),
        (
            OpParam("list_audit", "from"),
            json!({"format": "date-time"}),
        ),
        (OpParam("list_audit", "to"), json!({"format": "date-time"})),
        (
            OpParam("list_audit", "action"),
            json!({"maxLength": domain::audit::MAX_ACTION_CHARS}),
        ),
        (
            OpParam("quarterly_series", "from"),
            json!({"pattern": QUARTER}),
        ),
        (
            OpParam("quarterly_series", "to"),
            json!({"pattern": QUARTER}),
        ),
        (Param("quarter"), json!({"pattern": QUARTER})),
        (
            Param("format"),
            json!({"enum": ["json", "csv", "xlsx", "svg"]}),
        ),
        (
            Param("gap_threshold"),
            json!({"type": "integer", "minimum": 0, "maximum": GapThreshold::MAX}),
        ),
        (
            Param("q"),
            json!({"maxLength": QUERY_MAX_CHARS, "pattern": NO_NUL}),
        ),
        (
            Param("kind"),
            json!({"enum": domain::submission::SubmissionKind::ALL.map(|k| k.as_str())}),
        ),
        (
            Param("status"),
            json!({"enum": domain::submission::Status::ALL.map(|s| s.as_str())}),
        ),
        (Param("mine"), json!({"type": "boolean"})),
        (
            Param("Idempotency-Key"),
            json!({"pattern": IDEMPOTENCY_KEY}),
        ),
    ];
    // After the general rules they narrow.
    rules.push((
        OpParam("quarterly_series", "format"),
        json!({"enum": ["json", "csv", "xlsx"]}),
    ));
    let event_names =
        json!({"items": {"enum": domain::webhook::EventTypes::names()}, "minItems": 1});
    rules.push((
        P("CreateWebhookRequest", "event_types"),
        event_names.clone(),
    ));
    rules.push((P("UpdateWebhookRequest", "event_types"), event_names));
    for schema in ["ClinicRequest", "AdoptionRequest", "InclusionRequest"] {
        rules.push((P(schema, "nation"), code_of(V::Nation)));
        rules.push((P(schema, "region"), code_of(V::Region)));
    }
    for (field, vocabulary) in [
        ("priorities", V::Priority),
        ("practice_areas", V::PracticeArea),
        ("topics", V::Topic),
    ] {
        rules.push((P("CreateSubmissionRequest", field), codes_list(vocabulary)));
        rules.push((P("UpdateSubmissionRequest", field), codes_list(vocabulary)));
    }
    for schema in ["CreateSubmissionRequest", "UpdateSubmissionRequest"] {
        rules.push((P(schema, "nation"), code_of(V::Nation)));
        rules.push((P(schema, "region"), code_of(V::Region)));
        rules.push((P(schema, "impact_evidence"), json!({"maxItems": LIST_MAX})));
        rules.push((P(schema, "recommendations"), json!({"maxItems": LIST_MAX})));
        rules.push((
            P(schema, "evidence_sources"),
            json!({"maxItems": SOURCES_MAX}),
        ));
        rules.push((P(schema, "pdsa_cycles"), json!({"maxItems": LIST_MAX})));
        rules.push((P(schema, "measures"), json!({"maxItems": LIST_MAX})));
    }
    for (param, vocabulary) in [
        ("priority", V::Priority),
        ("practice_area", V::PracticeArea),
        ("topic", V::Topic),
        ("evidence_type", V::EvidenceType),
        ("nation", V::Nation),
        ("region", V::Region),
    ] {
        rules.push((Param(param), code_of(vocabulary)));
    }
    for schema in ["DemographicsPatchBody", "UpdateMeRequest"] {
        rules.push((P(schema, "career_stage"), demographic(V::CareerStage)));
        rules.push((
            P(schema, "level_of_practice"),
            demographic(V::LevelOfPractice),
        ));
        rules.push((P(schema, "sector"), demographic(V::Sector)));
        rules.push((P(schema, "nation"), demographic(V::Nation)));
        rules.push((P(schema, "region"), demographic(V::Region)));
    }
    for criterion in CRITERIA {
        rules.push((
            P("RubricScores", criterion),
            json!({"minimum": SCORE_RANGE.0, "maximum": SCORE_RANGE.1}),
        ));
        rules.push((
            P("RubricComments", criterion),
            chars(0, domain::review::COMMENT_MAX),
        ));
    }
    for schema in [
        "WhyWeStarted",
        "WhatWeDid",
        "WhatWeFound",
        "WhatItMeans",
        "Sections",
    ] {
        rules.push((S(schema), json!({"x-text-max": SECTION_MAX})));
    }
    for name in ["prediction", "plan", "what_happened", "what_was_learned"] {
        rules.push((P("PdsaCycle", name), section.clone()));
    }
    rules
}

/// Writes every constraint into the document.
pub fn declare(document: &mut Value) {
    for (target, patch) in constraints() {
        match target {
            Target::Schema(schema) => {
                if let Some(Value::Object(node)) =
                    document.pointer_mut(&format!("/components/schemas/{schema}"))
                {
                    if let Some(max) = patch.get("x-text-max").and_then(Value::as_u64) {
                        text_limits(node, max as usize);
                    } else {
                        merge(node, &patch);
                    }
                }
            }
            Target::Property(schema, field) => {
                let pointer = format!("/components/schemas/{schema}/properties/{field}");
                if let Some(Value::Object(node)) = document.pointer_mut(&pointer) {
                    merge(node, &patch);
                }
            }
            Target::Parameter(operation, name) => {
                for_each_parameter(document, operation, name, |node| merge(node, &patch));
            }
        }
    }
    declare_kinds(document);
    declare_places(document);
    declare_scopes_of_reports(document);
    declare_scores(document);
    forbid_nul_in_request_text(document);
}

/// A regional report names its nation and region; a national one no region.
fn declare_scopes_of_reports(document: &mut Value) {
    if let Some(Value::Array(all)) =
        document.pointer_mut("/components/schemas/InclusionRequest/allOf")
    {
        all.push(json!({
            "if": {"properties": {"scope": {"const": "regional"}}, "required": ["scope"]},
            "then": {
                "required": ["nation", "region"],
                "properties": {"nation": {"type": "string"}, "region": {"type": "string"}},
            },
        }));
        all.push(json!({
            "if": {"properties": {"scope": {"const": "national"}}, "required": ["scope"]},
            "then": {"properties": {"region": {"type": "null"}}},
        }));
    }
}

/// Every criterion of a review is scored: a whole number from 1 to 5, never null.
fn declare_scores(document: &mut Value) {
    if let Some(Value::Object(properties)) =
        document.pointer_mut("/components/schemas/RubricScores/properties")
    {
        for criterion in CRITERIA {
            if let Some(Value::Object(score)) = properties.get_mut(criterion) {
                score.insert("type".into(), json!("integer"));
            }
        }
    }
}

/// The schemas that name a nation and a region of it together, in one body.
const PLACES: [&str; 4] = [
    "CreateSubmissionRequest",
    "ClinicRequest",
    "AdoptionRequest",
    "InclusionRequest",
];

/// A region lies in its nation: with `if`/`then` on `nation`, each nation's
/// regions (from the reference taxonomy's parents), as `check_place` checks.
fn declare_places(document: &mut Value) {
    let cases: Vec<Value> = codes(Vocabulary::Nation)
        .into_iter()
        .map(|nation| {
            let mut regions: Vec<Value> = REFERENCE_TERMS
                .iter()
                .filter(|term| term.0 == Vocabulary::Region && term.4 == Some(nation))
                .map(|term| Value::from(term.1))
                .collect();
            regions.push(Value::Null);
            json!({
                "if": {"properties": {"nation": {"const": nation}}, "required": ["nation"]},
                "then": {"properties": {"region": {"enum": regions}}},
            })
        })
        .collect();
    for schema in PLACES {
        if let Some(Value::Object(node)) =
            document.pointer_mut(&format!("/components/schemas/{schema}"))
        {
            match node.entry("allOf").or_insert_with(|| json!([])) {
                Value::Array(all) => all.extend(cases.iter().cloned()),
                other => *other = Value::Array(cases.clone()),
            }
        }
    }
}

/// What a new submission may hold depends on its kind: the sections of
/// another kind, and PDSA cycles and measures outside a journey, must be
/// left out (or `null`). Said with `if`/`then` on `kind`, from the domain's
/// own rule of which sections apply.
fn declare_kinds(document: &mut Value) {
    use domain::submission::SubmissionKind;
    use domain::submission::validate::{SECTION_FIELDS, improvement_work_applies, section_applies};
    let schemas = document["components"]["schemas"].clone();
    let mut cases = Vec::new();
    for kind in SubmissionKind::ALL {
        let mut sections = Map::new();
        for section in SECTION_FIELDS
            .into_iter()
            .filter(|s| !section_applies(kind, s))
        {
            let declared = &schemas["Sections"]["properties"][section];
            let group = declared["oneOf"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|alternative| alternative["$ref"].as_str())
                .and_then(|r| r.strip_prefix("#/components/schemas/"));
            let left_out = match group {
                // A group of another kind may be sent empty: each of its fields left out.
                Some(group) => {
                    let fields: Map<String, Value> = schemas[group]["properties"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, _)| (name.clone(), json!({"type": "null"})))
                        .collect();
                    json!({"properties": fields})
                }
                None => json!({"type": "null"}),
            };
            sections.insert(section.to_owned(), left_out);
        }
        let mut then = json!({"properties": {"sections": {"properties": sections}}});
        if !improvement_work_applies(kind) {
            then["properties"]["pdsa_cycles"] = json!({"maxItems": 0});
            then["properties"]["measures"] = json!({"maxItems": 0});
        }
        cases.push(json!({
            "if": {"properties": {"kind": {"const": kind.as_str()}}, "required": ["kind"]},
            "then": then,
        }));
    }
    if let Some(Value::Object(create)) =
        document.pointer_mut("/components/schemas/CreateSubmissionRequest")
    {
        create.insert("allOf".into(), Value::Array(cases));
    }
}

/// Every free-text property of a component gets the section limit.
fn text_limits(node: &mut Map<String, Value>, max: usize) {
    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        for property in properties.values_mut() {
            if let Value::Object(property) = property
                && is_string(property)
            {
                merge(property, &chars(0, max));
            }
        }
    }
}

fn is_string(node: &Map<String, Value>) -> bool {
    match node.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

fn nullable(node: &Map<String, Value>) -> bool {
    matches!(node.get("type"), Some(Value::Array(types)) if types.iter().any(|t| t == "null"))
}

/// Adds `patch`'s keywords to a schema; an `enum` on a nullable schema keeps `null`,
/// and a `type` replaces the schema's own (a query value read as a number).
fn merge(node: &mut Map<String, Value>, patch: &Value) {
    let Value::Object(patch) = patch else { return };
    let target = if let Some(Value::Object(schema)) = node.get_mut("schema") {
        schema
    } else {
        node
    };
    for (key, value) in patch {
        let mut value = value.clone();
        if key == "enum"
            && nullable(target)
            && let Value::Array(values) = &mut value
        {
            values.push(Value::Null);
        }
        if key == "items"
            && let (Some(Value::Object(items)), Value::Object(extra)) =
                (target.get_mut("items"), &value)
        {
            for (k, v) in extra {
                items.insert(k.clone(), v.clone());
            }
            continue;
        }
        if key == "type"
            && nullable(target)
            && let Value::String(t) = &value
        {
            value = json!([t, "null"]);
        }
        target.insert(key.clone(), value);
    }
    // A default the constraints now refuse (an empty string that must say
    // something) would make the document invalid; the service has none then.
    if let (Some(Value::String(default)), Some(min)) = (
        target.get("default"),
        target.get("minLength").and_then(Value::as_u64),
    ) && (default.chars().count() as u64) < min
    {
        target.remove("default");
    }
}

fn for_each_parameter(
    document: &mut Value,
    operation_id: Option<&str>,
    name: &str,
    mut apply: impl FnMut(&mut Map<String, Value>),
) {
    let Some(Value::Object(paths)) = document.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for operation in item.values_mut() {
            if operation_id
                .is_some_and(|id| operation.get("operationId").and_then(Value::as_str) != Some(id))
            {
                continue;
            }
            let Some(Value::Array(parameters)) = operation.get_mut("parameters") else {
                continue;
            };
            for parameter in parameters {
                if let Value::Object(parameter) = parameter
                    && parameter.get("name").and_then(Value::as_str) == Some(name)
                {
                    apply(parameter);
                }
            }
        }
    }
}

/// Every string a client sends that carries no pattern of its own may not hold
/// NUL, as the body and query readers refuse it.
fn forbid_nul_in_request_text(document: &mut Value) {
    let mut reachable = Vec::new();
    if let Some(paths) = document.get("paths") {
        collect_refs(paths, &mut reachable, true);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = reachable.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = document.pointer(&format!("/components/schemas/{name}")) {
            collect_refs(schema, &mut reachable, false);
        }
    }
    for name in &seen {
        if let Some(schema) = document.pointer_mut(&format!("/components/schemas/{name}")) {
            add_nul_pattern(schema);
        }
    }
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for operation in item.values_mut() {
                if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                    for parameter in parameters {
                        if parameter.get("in").and_then(Value::as_str) == Some("query")
                            && let Some(schema) = parameter.get_mut("schema")
                        {
                            // An empty value is refused like a bad one.
                            if let Value::Object(map) = schema
                                && is_string(map)
                            {
                                map.entry("minLength").or_insert(json!(1));
                            }
                            add_nul_pattern(schema);
                        }
                    }
                }
                if let Some(body) =
                    operation.pointer_mut("/requestBody/content/application~1json/schema")
                {
                    add_nul_pattern(body);
                }
            }
        }
    }
}

/// The component names referenced from request bodies (or, below the paths, anywhere).
fn collect_refs(value: &Value, out: &mut Vec<String>, only_requests: bool) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if only_requests && key == "responses" {
                    continue;
                }
                if key == "$ref"
                    && let Some(name) = child
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
                collect_refs(child, out, only_requests);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_refs(item, out, only_requests)),
        _ => {}
    }
}

fn add_nul_pattern(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let free_text = is_string(map)
                && !map.contains_key("pattern")
                && !map.contains_key("enum")
                && !map.contains_key("format");
            if free_text {
                // Text that must hold something is refused when blank too
                // (the domain's length check trims it first).
                let required = map
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|min| min > 0);
                let pattern = if required { NOT_BLANK } else { NO_NUL };
                map.insert("pattern".into(), Value::String(pattern.into()));
            }
            for (key, child) in map.iter_mut() {
                match (key.as_str(), child) {
                    ("properties", Value::Object(properties)) => {
                        properties.values_mut().for_each(add_nul_pattern);
                    }
                    ("items" | "oneOf" | "anyOf" | "allOf" | "additionalProperties", child) => {
                        add_nul_pattern(child);
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_nul_pattern),
        _ => {}
    }
}
