//! The rules every saved submission meets, and the stricter ones for submitting.

use super::{Content, EvidenceType, Sections, SubmissionKind};
use crate::taxonomy::{Taxonomy, Vocabulary};
use crate::validation::{ValidationErrors, check_count, check_length};

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 5_000;
pub const SECTION_MAX: usize = 20_000;
pub const SHORT_TEXT_MAX: usize = 2_000;
pub const LIST_MAX: usize = 50;
pub const SOURCES_MAX: usize = 100;
pub const DATA_POINTS_MAX: usize = 1_000;
pub const PENCE_MAX: i64 = 10_000_000_000_000;
/// The lowest and highest return on investment taken as plausible.
pub const RETURN_ON_INVESTMENT: (f64, f64) = (-1_000.0, 1_000_000.0);
pub const URL_MAX: usize = 2_000;
pub const MEASURE_NAME_MAX: usize = 200;
pub const UNIT_MAX: usize = 50;

/// The top-level fields of `Sections`.
pub const SECTION_FIELDS: [&str; 15] = [
    "why_we_started",
    "what_we_did",
    "what_we_found",
    "what_it_means",
    "funding",
    "context",
    "approach",
    "outcomes",
    "change",
    "impact",
    "learning",
    "problem",
    "proposal",
    "costs_and_benefits",
    "ask",
];

/// Whether a section (a top-level field of `Sections`) belongs to a kind of
/// submission; one that does not must be left out.
pub fn section_applies(kind: SubmissionKind, section: &str) -> bool {
    let journey = kind == SubmissionKind::ImprovementJourney;
    match section {
        "why_we_started" | "what_we_did" | "what_we_found" | "what_it_means" | "funding" => journey,
        "context" | "learning" => matches!(
            kind,
            SubmissionKind::CaseStudy | SubmissionKind::ImpactExample
        ),
        "problem" | "proposal" | "costs_and_benefits" | "ask" => {
            kind == SubmissionKind::BusinessCase
        }
        "approach" | "outcomes" => kind == SubmissionKind::CaseStudy,
        "change" | "impact" => kind == SubmissionKind::ImpactExample,
        _ => true,
    }
}

/// Whether PDSA cycles and measures belong to a kind of submission.
pub fn improvement_work_applies(kind: SubmissionKind) -> bool {
    kind == SubmissionKind::ImprovementJourney
}

/// Checks a content against the rules and the taxonomy, naming every bad field.
/// Text is never altered: what passes is stored exactly as sent.
pub fn validate_content(
    kind: SubmissionKind,
    content: &Content,
    taxonomy: &Taxonomy,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_length(&mut errors, "title", &content.title, 0, TITLE_MAX);
    check_length(&mut errors, "summary", &content.summary, 0, SUMMARY_MAX);
    validate_sections(&mut errors, kind, &content.sections);
    validate_codes(
        &mut errors,
        taxonomy,
        "priorities",
        Vocabulary::Priority,
        &content.priorities,
    );
    validate_codes(
        &mut errors,
        taxonomy,
        "practice_areas",
        Vocabulary::PracticeArea,
        &content.practice_areas,
    );
    validate_codes(
        &mut errors,
        taxonomy,
        "topics",
        Vocabulary::Topic,
        &content.topics,
    );
    validate_place(&mut errors, taxonomy, content);
    validate_evidence(&mut errors, content);
    validate_recommendations(&mut errors, content);
    validate_sources(&mut errors, content);
    validate_improvement_work(&mut errors, kind, content);
    errors.into_result()
}

fn validate_sections(errors: &mut ValidationErrors, kind: SubmissionKind, s: &Sections) {
    let applies = |section: &str| section_applies(kind, section);
    let mut text = |field: &str, value: &Option<String>, applies: bool| {
        if let Some(value) = value {
            if applies {
                check_length(errors, &format!("sections.{field}"), value, 0, SECTION_MAX);
            } else {
                errors.add(
                    format!("sections.{field}"),
                    "not_applicable",
                    format!("is not a section of a {}", kind.as_str()),
                );
            }
        }
    };
    if let Some(g) = &s.why_we_started {
        let journey = applies("why_we_started");
        text("why_we_started.problem", &g.problem, journey);
        text(
            "why_we_started.available_knowledge",
            &g.available_knowledge,
            journey,
        );
        text("why_we_started.rationale", &g.rationale, journey);
        text("why_we_started.aims", &g.aims, journey);
    }
    if let Some(g) = &s.what_we_did {
        let journey = applies("what_we_did");
        text("what_we_did.context", &g.context, journey);
        text("what_we_did.interventions", &g.interventions, journey);
        text(
            "what_we_did.study_of_interventions",
            &g.study_of_interventions,
            journey,
        );
        text("what_we_did.measures", &g.measures, journey);
        text("what_we_did.analysis", &g.analysis, journey);
        text("what_we_did.ethics", &g.ethics, journey);
    }
    if let Some(g) = &s.what_we_found {
        let journey = applies("what_we_found");
        text("what_we_found.results", &g.results, journey);
    }
    if let Some(g) = &s.what_it_means {
        let journey = applies("what_it_means");
        text("what_it_means.summary", &g.summary, journey);
        text("what_it_means.interpretation", &g.interpretation, journey);
        text("what_it_means.limitations", &g.limitations, journey);
        text("what_it_means.conclusions", &g.conclusions, journey);
    }
    text("funding", &s.funding, applies("funding"));
    text("context", &s.context, applies("context"));
    text("approach", &s.approach, applies("approach"));
    text("outcomes", &s.outcomes, applies("outcomes"));
    text("change", &s.change, applies("change"));
    text("impact", &s.impact, applies("impact"));
    text("learning", &s.learning, applies("learning"));
    text("problem", &s.problem, applies("problem"));
    text("proposal", &s.proposal, applies("proposal"));
    text(
        "costs_and_benefits",
        &s.costs_and_benefits,
        applies("costs_and_benefits"),
    );
    text("ask", &s.ask, applies("ask"));
}

fn validate_codes(
    errors: &mut ValidationErrors,
    taxonomy: &Taxonomy,
    field: &str,
    vocabulary: Vocabulary,
    codes: &[String],
) {
    let max = taxonomy.terms(vocabulary).len().max(1);
    check_count(errors, field, codes, max);
    for (i, code) in codes.iter().enumerate() {
        if !taxonomy.contains(vocabulary, code) {
            errors.push(taxonomy.unknown_code(&format!("{field}[{i}]"), vocabulary, code));
        } else if codes[..i].contains(code) {
            errors.add(
                format!("{field}[{i}]"),
                "duplicate",
                format!("'{code}' is listed twice"),
            );
        }
    }
}

fn validate_place(errors: &mut ValidationErrors, taxonomy: &Taxonomy, content: &Content) {
    check_place(
        errors,
        taxonomy,
        content.nation.as_deref(),
        content.region.as_deref(),
    );
}

/// Checks a place against the taxonomy: a known nation, a known region, and
/// the region one of the nation's; each bad one named `nation` or `region`.
pub fn check_place(
    errors: &mut ValidationErrors,
    taxonomy: &Taxonomy,
    nation: Option<&str>,
    region: Option<&str>,
) {
    if let Some(nation) = nation
        && !taxonomy.contains(Vocabulary::Nation, nation)
    {
        errors.push(taxonomy.unknown_code("nation", Vocabulary::Nation, nation));
    }
    if let Some(region) = region {
        let term = taxonomy
            .terms(Vocabulary::Region)
            .iter()
            .find(|t| t.code == region);
        match (term, nation) {
            (None, _) => errors.push(taxonomy.unknown_code("region", Vocabulary::Region, region)),
            (Some(term), Some(nation)) if term.parent.as_ref().is_some_and(|p| p != nation) => {
                errors.add(
                    "region",
                    "region_outside_nation",
                    format!("'{region}' is not a region of '{nation}'"),
                )
            }
            _ => {}
        }
    }
}

/// Checks an amount of pence is whole, from 0 to the most the hub records.
pub fn check_investment(errors: &mut ValidationErrors, field: &str, value: Option<i64>) {
    check_pence(errors, field.to_owned(), value);
}

fn check_pence(errors: &mut ValidationErrors, field: String, value: Option<i64>) {
    if let Some(pence) = value
        && !(0..=PENCE_MAX).contains(&pence)
    {
        errors.add(
            field,
            "out_of_range",
            "must be a whole number of pence from 0 to 10,000,000,000,000",
        );
    }
}

fn validate_evidence(errors: &mut ValidationErrors, content: &Content) {
    check_count(
        errors,
        "impact_evidence",
        &content.impact_evidence,
        LIST_MAX,
    );
    for (i, entry) in content.impact_evidence.iter().enumerate() {
        let at = |name: &str| format!("impact_evidence[{i}].{name}");
        check_length(
            errors,
            &at("description"),
            &entry.description,
            1,
            SECTION_MAX,
        );
        let economic = entry.evidence_type == EvidenceType::Economic;
        let figures = [
            ("costs_pence", entry.costs_pence.is_some()),
            ("savings_pence", entry.savings_pence.is_some()),
            ("return_on_investment", entry.return_on_investment.is_some()),
        ];
        for (name, present) in figures {
            if present && !economic {
                errors.add(
                    at(name),
                    "not_applicable",
                    "only economic evidence carries costs, savings and return on investment",
                );
            }
        }
        check_pence(errors, at("costs_pence"), entry.costs_pence);
        check_pence(errors, at("savings_pence"), entry.savings_pence);
        if let Some(roi) = entry.return_on_investment
            && (!roi.is_finite()
                || !(RETURN_ON_INVESTMENT.0..=RETURN_ON_INVESTMENT.1).contains(&roi))
        {
            errors.add(
                at("return_on_investment"),
                "out_of_range",
                "must be a number from -1000 to 1000000",
            );
        }
    }
}

fn validate_recommendations(errors: &mut ValidationErrors, content: &Content) {
    check_count(
        errors,
        "recommendations",
        &content.recommendations,
        LIST_MAX,
    );
    for (i, rec) in content.recommendations.iter().enumerate() {
        check_length(
            errors,
            &format!("recommendations[{i}].text"),
            &rec.text,
            1,
            SHORT_TEXT_MAX,
        );
        check_pence(
            errors,
            format!("recommendations[{i}].reported_investment_pence"),
            rec.reported_investment_pence,
        );
        if content.recommendations[..i].iter().any(|r| r.id == rec.id) {
            errors.add(
                format!("recommendations[{i}].id"),
                "duplicate",
                "the same recommendation id is listed twice",
            );
        }
    }
}

fn validate_sources(errors: &mut ValidationErrors, content: &Content) {
    check_count(
        errors,
        "evidence_sources",
        &content.evidence_sources,
        SOURCES_MAX,
    );
    for (i, source) in content.evidence_sources.iter().enumerate() {
        let at = |name: &str| format!("evidence_sources[{i}].{name}");
        if source.citation.is_none() && source.url.is_none() && source.submission_id.is_none() {
            errors.add(
                format!("evidence_sources[{i}]"),
                "required",
                "give a citation, a url or the submission_id of a hub submission",
            );
        }
        if let Some(citation) = &source.citation {
            check_length(errors, &at("citation"), citation, 1, SHORT_TEXT_MAX);
        }
        if let Some(url) = &source.url {
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok
                || url.len() > URL_MAX
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                errors.add(
                    at("url"),
                    "invalid_url",
                    "must be an http or https address of at most 2000 characters",
                );
            }
        }
    }
}

fn validate_improvement_work(
    errors: &mut ValidationErrors,
    kind: SubmissionKind,
    content: &Content,
) {
    let journey = improvement_work_applies(kind);
    for (field, present) in [
        ("pdsa_cycles", !content.pdsa_cycles.is_empty()),
        ("measures", !content.measures.is_empty()),
    ] {
        if present && !journey {
            errors.add(
                field,
                "not_applicable",
                "only improvement journeys carry PDSA cycles and measures",
            );
        }
    }
    check_count(errors, "pdsa_cycles", &content.pdsa_cycles, LIST_MAX);
    for (i, cycle) in content.pdsa_cycles.iter().enumerate() {
        let at = |name: &str| format!("pdsa_cycles[{i}].{name}");
        check_length(
            errors,
            &at("change_idea"),
            &cycle.change_idea,
            1,
            SHORT_TEXT_MAX,
        );
        let texts = [
            ("prediction", &cycle.prediction),
            ("plan", &cycle.plan),
            ("what_happened", &cycle.what_happened),
            ("what_was_learned", &cycle.what_was_learned),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                check_length(errors, &at(name), value, 0, SECTION_MAX);
            }
        }
        if let (Some(start), Some(end)) = (cycle.started_on, cycle.ended_on)
            && end < start
        {
            errors.add(
                at("ended_on"),
                "before_start",
                "must not be before started_on",
            );
        }
    }
    check_count(errors, "measures", &content.measures, LIST_MAX);
    for (i, measure) in content.measures.iter().enumerate() {
        let at = |name: &str| format!("measures[{i}].{name}");
        check_length(errors, &at("name"), &measure.name, 1, MEASURE_NAME_MAX);
        if let Some(unit) = &measure.unit {
            check_length(errors, &at("unit"), unit, 0, UNIT_MAX);
        }
        check_count(
            errors,
            &at("data_points"),
            &measure.data_points,
            DATA_POINTS_MAX,
        );
        if measure.data_points.iter().any(|p| !p.value.is_finite()) {
            errors.add(
                at("data_points"),
                "not_a_number",
                "every value must be a finite number",
            );
        }
    }
}

/// What must be filled before a submission can go to review, by field.
pub fn missing_for_submit(kind: SubmissionKind, content: &Content) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    let mut require = |field: &str, value: Option<&String>| {
        if value.is_none_or(|v| v.trim().is_empty()) {
            errors.add(
                field,
                "required_for_submit",
                "must be filled in before submitting",
            );
        }
    };
    require("title", Some(&content.title));
    require("summary", Some(&content.summary));
    let s = &content.sections;
    match kind {
        SubmissionKind::ImprovementJourney => {
            let why = s.why_we_started.as_ref();
            let did = s.what_we_did.as_ref();
            require(
                "sections.why_we_started.problem",
                why.and_then(|g| g.problem.as_ref()),
            );
            require(
                "sections.why_we_started.aims",
                why.and_then(|g| g.aims.as_ref()),
            );
            require(
                "sections.what_we_did.interventions",
                did.and_then(|g| g.interventions.as_ref()),
            );
            require(
                "sections.what_we_found.results",
                s.what_we_found.as_ref().and_then(|g| g.results.as_ref()),
            );
            require(
                "sections.what_it_means.conclusions",
                s.what_it_means
                    .as_ref()
                    .and_then(|g| g.conclusions.as_ref()),
            );
        }
        SubmissionKind::CaseStudy => {
            require("sections.context", s.context.as_ref());
            require("sections.approach", s.approach.as_ref());
            require("sections.outcomes", s.outcomes.as_ref());
        }
        SubmissionKind::ImpactExample => {
            require("sections.context", s.context.as_ref());
            require("sections.change", s.change.as_ref());
            require("sections.impact", s.impact.as_ref());
        }
        SubmissionKind::BusinessCase => {
            require("sections.problem", s.problem.as_ref());
            require("sections.proposal", s.proposal.as_ref());
            require("sections.costs_and_benefits", s.costs_and_benefits.as_ref());
            require("sections.ask", s.ask.as_ref());
        }
    }
    if kind == SubmissionKind::BusinessCase && !content.has_economic_evidence() {
        errors.add(
            "impact_evidence",
            "economic_evidence_required",
            "a business case needs at least one economic impact_evidence entry before submitting",
        );
    }
    if content.priorities.is_empty() {
        errors.add(
            "priorities",
            "required_for_submit",
            "tag at least one workforce priority before submitting",
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::{ImpactEvidence, WhatWeDid};

    fn fields(errors: &ValidationErrors) -> Vec<&str> {
        errors.errors().iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn names_every_bad_field_at_once() {
        let content = Content {
            title: "x".repeat(201),
            priorities: vec![
                "optimising_ot".into(),
                "made_up".into(),
                "optimising_ot".into(),
            ],
            nation: Some("atlantis".into()),
            impact_evidence: vec![ImpactEvidence {
                evidence_type: EvidenceType::Social,
                description: "Stories".into(),
                costs_pence: Some(10),
                savings_pence: None,
                return_on_investment: None,
            }],
            ..Default::default()
        };
        let errors = validate_content(SubmissionKind::CaseStudy, &content, &Taxonomy::reference())
            .err()
            .unwrap_or_default();
        assert_eq!(
            fields(&errors),
            vec![
                "title",
                "priorities[1]",
                "priorities[2]",
                "nation",
                "impact_evidence[0].costs_pence"
            ]
        );
    }

    #[test]
    fn journey_sections_are_refused_on_a_case_study() {
        let mut content = Content::default();
        content.sections.what_we_did = Some(WhatWeDid {
            interventions: Some("x".into()),
            ..Default::default()
        });
        let errors = validate_content(SubmissionKind::CaseStudy, &content, &Taxonomy::reference())
            .err()
            .unwrap_or_default();
        assert_eq!(fields(&errors), vec!["sections.what_we_did.interventions"]);
    }

    #[test]
    fn a_business_case_needs_its_four_sections_and_economic_evidence_to_submit() {
        let content = Content {
            title: "t".into(),
            summary: "s".into(),
            priorities: vec!["value_and_impact".into()],
            ..Default::default()
        };
        let errors = missing_for_submit(SubmissionKind::BusinessCase, &content);
        assert_eq!(
            fields(&errors),
            vec![
                "sections.problem",
                "sections.proposal",
                "sections.costs_and_benefits",
                "sections.ask",
                "impact_evidence",
            ]
        );
    }

    #[test]
    fn business_case_sections_are_refused_on_other_kinds_and_theirs_on_it() {
        let mut content = Content::default();
        content.sections.ask = Some("Fund it".into());
        content.sections.context = Some("Three practices".into());
        let on_case_study =
            validate_content(SubmissionKind::CaseStudy, &content, &Taxonomy::reference())
                .unwrap_err();
        assert_eq!(fields(&on_case_study), vec!["sections.ask"]);
        let on_business_case = validate_content(
            SubmissionKind::BusinessCase,
            &content,
            &Taxonomy::reference(),
        )
        .unwrap_err();
        assert_eq!(fields(&on_business_case), vec!["sections.context"]);
    }

    #[test]
    fn region_must_lie_in_the_nation() {
        let content = Content {
            nation: Some("wales".into()),
            region: Some("london".into()),
            ..Default::default()
        };
        let errors = validate_content(SubmissionKind::CaseStudy, &content, &Taxonomy::reference())
            .err()
            .unwrap_or_default();
        assert_eq!(errors.errors()[0].code, "region_outside_nation");
    }

    #[test]
    fn submitting_needs_the_core_sections_and_a_priority() {
        let content = Content {
            title: "Falls".into(),
            ..Default::default()
        };
        let missing = missing_for_submit(SubmissionKind::ImprovementJourney, &content);
        assert_eq!(
            fields(&missing),
            vec![
                "summary",
                "sections.why_we_started.problem",
                "sections.why_we_started.aims",
                "sections.what_we_did.interventions",
                "sections.what_we_found.results",
                "sections.what_it_means.conclusions",
                "priorities"
            ]
        );
    }
}
