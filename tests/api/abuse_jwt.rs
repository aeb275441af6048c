//! Forged and misused access tokens. The plain cases (expired, wrong issuer
//! or audience, issued in the future, `alg: none`, wrong key) are in
//! `auth.rs`; these are the algorithm-confusion attacks and tokens that are
//! well signed but name someone who is gone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use hub_tests::{JWT_SECRET, TestApp, TestMember, jti_of, spawn_app};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

const RSA_PRIVATE: &str = include_str!("../fixtures/test-only-rsa-private.pem");
const RSA_PUBLIC: &str = include_str!("../fixtures/test-only-rsa-public.pem");

/// Claims as the service signs them for `member`'s session, with `overrides`.
fn claims(member: &TestMember, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({"sub": member.id.to_string(), "role": "admin", "iat": now, "exp": now + 600, "iss": "innovation-hub", "aud": "innovation-hub-api", "jti": jti_of(&member.token)});
    if let (Some(base), Some(extra)) = (claims.as_object_mut(), overrides.as_object()) {
        for (key, value) in extra {
            base.insert(key.clone(), value.clone());
        }
    }
    claims
}

/// The DER bytes inside a PEM file.
fn pem_body(pem: &str) -> Vec<u8> {
    let base64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn hs(algorithm: Algorithm, claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A token with any header, HMAC-SHA256 signed with `secret` whatever the header says.
fn hand_signed(header: &Value, claims: &Value, secret: &[u8]) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|e| panic!("{e}"));
    mac.update(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

async fn assert_refused(app: &TestApp, case: &str, token: &str) {
    let (status, headers, body) = app.get("/api/v1/members/me", Some(token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{case}"
    );
    assert_eq!(body["code"], "unauthorized", "{case}");
}

#[tokio::test]
async fn algorithm_confusion_is_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let body = claims(&member, json!({}));
    let rsa = EncodingKey::from_rsa_der(&pem_body(RSA_PRIVATE));
    let cases = vec![
        (
            "HS256 keyed with an RSA public key",
            hs(Algorithm::HS256, &body, RSA_PUBLIC.as_bytes()),
        ),
        (
            "RS256 signed with a private key the service never saw",
            encode(&Header::new(Algorithm::RS256), &body, &rsa).unwrap(),
        ),
        (
            "RS256 header over an HMAC made with the real secret",
            hand_signed(
                &json!({"alg": "RS256", "typ": "JWT"}),
                &body,
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "HS512 with the real secret",
            hs(Algorithm::HS512, &body, JWT_SECRET.as_bytes()),
        ),
        (
            "HS384 with the real secret",
            hs(Algorithm::HS384, &body, JWT_SECRET.as_bytes()),
        ),
        (
            "alg None with a valid HMAC",
            hand_signed(
                &json!({"alg": "None", "typ": "JWT"}),
                &body,
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "alg NONE, no signature",
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(json!({"alg": "NONE"}).to_string()),
                URL_SAFE_NO_PAD.encode(body.to_string())
            ),
        ),
        (
            "no alg at all",
            hand_signed(&json!({"typ": "JWT"}), &body, JWT_SECRET.as_bytes()),
        ),
        ("an empty secret", hs(Algorithm::HS256, &body, b"")),
    ];

    for (case, token) in cases {
        assert_refused(&app, case, &token).await;
    }
    let genuine = hand_signed(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &body,
        JWT_SECRET.as_bytes(),
    );
    let (status, _, me) = app.get("/api/v1/members/me", Some(&genuine)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the hand-signer makes real tokens: {me}"
    );
}

#[tokio::test]
async fn tokens_missing_required_claims_or_naming_no_member_are_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let mut cases = Vec::new();
    for claim in ["exp", "iat", "iss", "aud", "sub", "jti"] {
        let mut body = claims(&member, json!({}));
        if let Some(map) = body.as_object_mut() {
            map.remove(claim);
        }
        cases.push((
            format!("without {claim}"),
            hs(Algorithm::HS256, &body, JWT_SECRET.as_bytes()),
        ));
    }
    for (case, overrides) in [
        ("a subject that is not an id", json!({"sub": "admin"})),
        ("an SQL subject", json!({"sub": "' OR 1=1 --"})),
        ("a numeric expiry as text", json!({"exp": "9999999999"})),
        (
            "an audience list without ours",
            json!({"aud": ["another-api"]}),
        ),
    ] {
        cases.push((
            case.to_owned(),
            hs(
                Algorithm::HS256,
                &claims(&member, overrides),
                JWT_SECRET.as_bytes(),
            ),
        ));
    }

    for (case, token) in cases {
        assert_refused(&app, &case, &token).await;
    }
}

#[tokio::test]
async fn a_well_signed_token_of_an_erased_member_is_refused() {
    let app = spawn_app().await;
    let member = app.member().await;
    let (erased, _, _) = app.erase(&member.token).await;
    assert_eq!(erased, StatusCode::NO_CONTENT);
    let now = chrono::Utc::now().timestamp();
    // Minted after the erasure with the real secret, as a stolen key would allow.
    let fresh = hs(
        Algorithm::HS256,
        &claims(
            &member,
            json!({"role": "member", "iat": now, "exp": now + 600}),
        ),
        JWT_SECRET.as_bytes(),
    );

    assert_refused(
        &app,
        "the session token from before the erasure",
        &member.token,
    )
    .await;
    assert_refused(&app, "a token minted after the erasure", &fresh).await;
    let (status, _, _) = app.get("/api/v1/submissions", Some(&fresh)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
