//! A differencing attack on a quarterly summary: everything it publishes about
//! people (the totals, each breakdown, a nation and its regions, the trend's
//! submitters), taken together, must not give away any withheld count.

use hub_tests::{TestApp, TestMember, journey, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A published people count: `None` when withheld.
type Published = Option<i64>;

/// What the attacker reads: named counts and the sums they know hold.
#[derive(Default)]
struct Knowledge {
    cells: BTreeMap<String, Published>,
    /// (total, parts): total = Σ parts.
    sums: Vec<(String, Vec<String>)>,
}

impl Knowledge {
    /// Members who joined: this quarter, the previous one, a year before,
    /// and the change, which ties the first two.
    fn read_members_joined(&mut self, joined: &Value) {
        for key in [
            "count",
            "previous_quarter",
            "same_quarter_last_year",
            "change",
        ] {
            self.cells
                .insert(format!("joined/{key}"), joined[key].as_i64());
        }
        self.sums.push((
            "joined/count".into(),
            vec!["joined/previous_quarter".into(), "joined/change".into()],
        ));
    }

    fn read_group(&mut self, group: &str, total: &Value, breakdowns: &Value, taxonomy: &Value) {
        let total_name = format!("{group}/total");
        self.cells
            .insert(total_name.clone(), total["count"].as_i64());
        for breakdown in breakdowns.as_array().unwrap() {
            let dimension = breakdown["dimension"].as_str().unwrap();
            let mut parts = Vec::new();
            for row in breakdown["rows"].as_array().unwrap() {
                let name = format!("{group}/{dimension}/{}", row["key"].as_str().unwrap());
                assert_eq!(row["suppressed"], row["count"].is_null(), "{row}");
                self.cells.insert(name.clone(), row["count"].as_i64());
                parts.push(name);
            }
            self.sums.push((total_name.clone(), parts));
        }
        // A nation's submitters are its regions' submitters.
        for region in taxonomy["regions"].as_array().unwrap() {
            let Some(nation) = region["nation"].as_str() else {
                continue;
            };
            let nation_name = format!("{group}/nation/{nation}");
            let region_name = format!("{group}/region/{}", region["code"].as_str().unwrap());
            if !self.cells.contains_key(&nation_name) || !self.cells.contains_key(&region_name) {
                continue;
            }
            match self.sums.iter_mut().find(|(t, _)| *t == nation_name) {
                Some((_, parts)) => parts.push(region_name),
                None => self.sums.push((nation_name, vec![region_name])),
            }
        }
    }

    /// Every withheld count the attacker can work out, with its value.
    fn recovered(&self) -> Vec<String> {
        let unknowns: Vec<&String> = self
            .cells
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k)
            .collect();
        let column = |name: &String| unknowns.iter().position(|u| *u == name);
        // Each sum over the withheld counts: Σ ±x = a known number.
        let mut rows: Vec<(Vec<f64>, f64)> = Vec::new();
        for (total, parts) in &self.sums {
            let mut row = vec![0.0; unknowns.len()];
            let mut known = 0.0;
            for (name, sign) in std::iter::once((total, 1.0)).chain(parts.iter().map(|p| (p, -1.0)))
            {
                match (self.cells[name], column(name)) {
                    (Some(v), _) => known -= sign * v as f64,
                    (None, Some(c)) => row[c] += sign,
                    (None, None) => unreachable!(),
                }
            }
            rows.push((row, known));
        }
        let mut found = Vec::new();
        // Bound attack: withheld counts are never 0, so withheld parts of a
        // published total that add up to their number are all 1.
        for (row, known) in &rows {
            let hidden: Vec<usize> = (0..unknowns.len()).filter(|&c| row[c] != 0.0).collect();
            if !hidden.is_empty()
                && hidden.iter().all(|&c| row[c] == -1.0)
                && (-known - hidden.len() as f64).abs() < 1e-9
            {
                found.extend(hidden.iter().map(|&c| format!("{} = 1", unknowns[c])));
            }
        }
        // Linear attack: Gauss–Jordan over every sum at once.
        let mut m: Vec<Vec<f64>> = rows
            .iter()
            .map(|(row, known)| row.iter().copied().chain([*known]).collect())
            .collect();
        let n = unknowns.len();
        let mut pivots = Vec::new();
        let mut next = 0;
        for col in 0..n {
            let Some(found_row) = (next..m.len()).find(|&r| m[r][col].abs() > 1e-9) else {
                continue;
            };
            m.swap(next, found_row);
            let scale = m[next][col];
            m[next].iter_mut().for_each(|v| *v /= scale);
            let pivot_row = m[next].clone();
            for (r, row) in m.iter_mut().enumerate() {
                if r != next && row[col].abs() > 1e-9 {
                    let factor = row[col];
                    for (v, p) in row.iter_mut().zip(&pivot_row) {
                        *v -= factor * p;
                    }
                }
            }
            pivots.push((next, col));
            next += 1;
        }
        let free: Vec<usize> = (0..n)
            .filter(|c| !pivots.iter().any(|(_, p)| p == c))
            .collect();
        for (row, col) in pivots {
            if free.iter().all(|&f| m[row][f].abs() < 1e-9) {
                found.push(format!("{} = {}", unknowns[col], m[row][n]));
            }
        }
        found
    }
}

async fn member_in(app: &TestApp, profile: Value) -> TestMember {
    let member = app.member().await;
    let (status, _, body) = app
        .patch("/api/v1/members/me", Some(&member.token), None, &profile)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    member
}

#[tokio::test]
async fn no_withheld_count_of_people_can_be_worked_out_from_the_summary() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let (status, _, taxonomy) = app.get("/api/v1/taxonomy", None).await;
    assert_eq!(status, StatusCode::OK);
    // Two nations with regions of their own, as the hub's taxonomy has.
    let regions_of = |nation: &str| -> Vec<String> {
        taxonomy["regions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["nation"] == nation)
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let (england, scotland) = (regions_of("england"), regions_of("scotland"));
    assert!(england.len() >= 2 && scotland.len() >= 3, "{taxonomy}");
    // The shape: england 8 + 5, scotland 6 + 6 + 2. Withholding the 2
    // and, beside it, the smallest other region (the 5) is not enough: each is
    // its nation less the published regions.
    let people: Vec<(&str, &str, &str, bool)> = [
        vec![("england", england[0].as_str(), "mid", false); 6],
        vec![("england", england[0].as_str(), "early", true); 2],
        vec![("england", england[1].as_str(), "late", false); 5],
        vec![("scotland", scotland[0].as_str(), "mid", false); 6],
        vec![("scotland", scotland[1].as_str(), "mid", true); 3],
        vec![("scotland", scotland[1].as_str(), "late", false); 3],
        vec![("scotland", scotland[2].as_str(), "early", false); 2],
    ]
    .concat();
    for (nation, region, stage, ai) in &people {
        let member = member_in(
            &app,
            json!({"nation": nation, "region": region, "career_stage": stage, "job_title": "OT"}),
        )
        .await;
        let mut body = journey("Suppression");
        if !ai {
            body["topics"] = json!([]);
        }
        app.submitted(&member.token, &body).await;
    }

    let quarter = domain::quarter::Quarter::calendar_containing(chrono::Utc::now()).to_string();
    let (status, _, report) = app
        .get(
            &format!("/api/v1/reports/quarterly/{quarter}"),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");

    let mut knowledge = Knowledge::default();
    let community = &report["community"];
    knowledge.read_group(
        "all",
        &community["distinct_submitters"],
        &community["submitters_by"],
        &taxonomy,
    );
    let ai = &report["ai_digital"];
    knowledge.read_group("ai", &ai["submitters"], &ai["submitters_by"], &taxonomy);
    // The trend repeats this quarter's submitters.
    let trend = report["priority_trend"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["quarter"] == quarter.as_str())
        .unwrap();
    knowledge.cells.insert(
        "trend/submitters".into(),
        trend["distinct_submitters"].as_i64(),
    );
    knowledge
        .sums
        .push(("all/total".into(), vec!["trend/submitters".into()]));
    knowledge.read_members_joined(&community["members_joined"]);

    let withheld: Vec<&String> = knowledge
        .cells
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    assert!(
        withheld
            .iter()
            .any(|k| k.ends_with(&format!("/region/{}", scotland[2]))),
        "the region of one is withheld: {withheld:?}"
    );
    let small: Vec<(&String, &Published)> = knowledge
        .cells
        .iter()
        .filter(|(_, v)| v.is_some_and(|c| (1..5).contains(&c)))
        .collect();
    assert!(small.is_empty(), "counts from 1 to 4 published: {small:?}");
    let recovered = knowledge.recovered();
    assert!(
        recovered.is_empty(),
        "recovered by differencing: {recovered:?}"
    );

    // The CSV withholds exactly what the JSON does.
    let csv = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/reports/quarterly/{quarter}?format=csv"),
            Some(&admin.token),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The CSV comes in sections, each with a header row of its own.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let mut columns: Option<(usize, usize, usize, usize)> = None;
    let mut compared = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if record.get(0) == Some("quarter") {
            let at = |name: &str| record.iter().position(|h| h == name);
            columns = match (at("section"), at("dimension"), at("key"), at("count")) {
                (Some(a), Some(b), Some(c), Some(d)) => Some((a, b, c, d)),
                _ => None,
            };
            continue;
        }
        let Some((section, dimension, key, count)) = columns else {
            continue;
        };
        let group = match &record[section] {
            "community" => "all",
            "ai_digital" => "ai",
            _ => continue,
        };
        let name = match record[dimension].strip_prefix("submitters_by_") {
            Some(d) => format!("{group}/{d}/{}", &record[key]),
            None if &record[key] == "distinct_submitters"
                || &record[key] == "ai_digital_submitters" =>
            {
                format!("{group}/total")
            }
            None => continue,
        };
        let Some(json_value) = knowledge.cells.get(&name) else {
            continue;
        };
        match json_value {
            Some(v) => assert_eq!(record[count], v.to_string(), "{name}"),
            None => assert_eq!(&record[count], "<5", "{name}"),
        }
        compared += 1;
    }
    assert!(
        compared >= 20,
        "too few people counts found in the CSV: {compared}"
    );
}

#[tokio::test]
async fn members_who_joined_from_one_to_four_are_withheld_with_their_change() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    // 2025-Q3: 3 joined; 2025-Q2: 6; 2024-Q3: 2.
    for (n, at) in [
        (3, "2025-08-01T09:00:00Z"),
        (6, "2025-05-01T09:00:00Z"),
        (2, "2024-08-01T09:00:00Z"),
    ] {
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        for _ in 0..n {
            let member = app.member().await;
            app.execute(
                "UPDATE members SET created_at = $1 WHERE id = $2",
                vec![at.into(), member.id.into()],
            )
            .await;
        }
    }

    let (status, _, report) = app
        .get("/api/v1/reports/quarterly/2025-Q3", Some(&admin.token))
        .await;
    let csv = app
        .request(
            reqwest::Method::GET,
            "/api/v1/reports/quarterly/2025-Q3?format=csv",
            Some(&admin.token),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(status, StatusCode::OK, "{report}");
    let joined = &report["community"]["members_joined"];
    assert_eq!(
        (
            &joined["count"],
            &joined["previous_quarter"],
            &joined["same_quarter_last_year"],
            &joined["change"],
            &joined["suppressed"],
        ),
        (
            &Value::Null,
            &json!(6),
            &Value::Null,
            &Value::Null,
            &json!(true)
        ),
        "{joined}"
    );
    let mut knowledge = Knowledge::default();
    knowledge.read_members_joined(joined);
    assert!(
        knowledge.recovered().is_empty(),
        "{:?}",
        knowledge.recovered()
    );
    let line = csv
        .lines()
        .find(|l| l.contains(",community,members_joined,"))
        .expect("the test expected this value to be present");
    assert!(line.ends_with(",<5,6,<5,<5"), "{line}");
}
