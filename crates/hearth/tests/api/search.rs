//! Global search, caller ID and the live incoming-call event.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn search(app: &TestApp, org: &TestOrg, q: &str) -> Value {
    let res = app
        .http
        .get(app.url("/api/v1/search"))
        .query(&[("q", q)])
        .bearer_auth(&org.key)
        .send()
        .await
        .expect("search");
    expect_status(res, StatusCode::OK, app.engine).await
}

async fn lookup(app: &TestApp, org: &TestOrg, number: &str) -> Value {
    let res = app
        .http
        .get(app.url("/api/v1/lookup/phone"))
        .query(&[("number", number)])
        .bearer_auth(&org.key)
        .send()
        .await
        .expect("lookup");
    expect_status(res, StatusCode::OK, app.engine).await
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["display_name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["customer_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn search_finds_every_field_kind_and_one_typo() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await;
        app.customer(
            &org,
            json!({"first_name": "John", "last_name": "Smith", "phone": "737 555 0101"}),
        )
        .await;
        app.customer(
            &org,
            json!({"business_name": "Lakeside Dental", "email": "desk@lakeside.example.com"}),
        )
        .await;
        app.customer(&org, json!({"first_name": "Ada", "last_name": "Lovelace"}))
            .await;
        for (query, name, matched) in [
            ("hopper", "Grace Hopper", "name"),
            ("Grace Hopper", "Grace Hopper", "name"),
            ("gra hop", "Grace Hopper", "name"),
            ("hoper", "Grace Hopper", "name"),
            ("jonh smith", "John Smith", "name"),
            ("smiht", "John Smith", "name"),
            ("lakeside", "Lakeside Dental", "business_name"),
            ("lakesdie dental", "Lakeside Dental", "business_name"),
            ("navy.example", "Grace Hopper", "email"),
            ("grace@navy.example.com", "Grace Hopper", "name"),
            ("555-01", "Grace Hopper", "phone"),
            ("5125550", "Grace Hopper", "phone"),
            ("(512) 555-0188", "Grace Hopper", "phone"),
            ("+1 512 555 0188", "Grace Hopper", "phone"),
        ] {
            let found = search(&app, &org, query).await;
            assert_eq!(
                names(&found).first().map(String::as_str),
                Some(name),
                "[{e}] {query:?} → {found}"
            );
            assert_eq!(found["items"][0]["matched"], matched, "[{e}] {query:?}");
        }
        let hit = &search(&app, &org, "hopper").await["items"][0];
        assert_eq!(hit["customer_id"], grace["id"], "[{e}]");
        assert_eq!(hit["phone"], "+15125550188", "[{e}]");
        assert_eq!(hit["email"], "grace@navy.example.com", "[{e}]");
        assert!(hit["score"].as_u64().unwrap_or(0) > 0, "[{e}]");
        // "555-01" is in both numbers: partial digits find every holder.
        assert_eq!(names(&search(&app, &org, "555-01").await).len(), 2, "[{e}]");
        for nothing in ["zebra", "hpoer", "", "   "] {
            assert!(
                names(&search(&app, &org, nothing).await).is_empty(),
                "[{e}] {nothing:?} finds nothing"
            );
        }
        let missing = app
            .http
            .get(app.url("/api/v1/search"))
            .bearer_auth(&org.key)
            .send()
            .await
            .unwrap();
        let problem = expect_status(missing, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["q"], "[{e}]");
    }
}

#[tokio::test]
async fn exact_matches_rank_first_and_names_above_emails() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        // Created before the exact match, so insertion order cannot explain the ranking.
        for body in [
            json!({"first_name": "Carl", "last_name": "Hoper"}),
            json!({"first_name": "Ann", "last_name": "Hopperton"}),
            json!({"first_name": "Dan", "last_name": "Lee", "email": "hopper@example.com"}),
            json!({"business_name": "Hopper Supplies"}),
        ] {
            app.customer(&org, body).await;
        }
        app.grace(&org).await;
        let found = search(&app, &org, "hopper").await;
        assert_eq!(
            names(&found),
            [
                "Grace Hopper",
                "Hopper Supplies",
                "Dan Lee",
                "Ann Hopperton",
                "Carl Hoper"
            ],
            "[{e}] exact (name, business, email) > prefix > typo: {found}"
        );
        let scores: Vec<u64> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["score"].as_u64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] > w[1]), "[{e}] {scores:?}");
        let limited = app
            .http
            .get(app.url("/api/v1/search?q=hopper&limit=2"))
            .bearer_auth(&org.key)
            .send()
            .await
            .unwrap();
        let limited = expect_status(limited, StatusCode::OK, e).await;
        assert_eq!(
            names(&limited),
            ["Grace Hopper", "Hopper Supplies"],
            "[{e}]"
        );
        // Out of range is refused, as the OpenAPI document says (it was
        // clamped before, so a client never learnt it got 50, not 500).
        for limit in [0, 51] {
            let res = app
                .get(&org, &format!("/api/v1/search?q=hopper&limit={limit}"))
                .await;
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert_eq!(problem["errors"][0]["field"], "limit", "[{e}] {problem}");
        }
    }
}

#[tokio::test]
async fn search_never_shows_another_orgs_customers() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("alpha").await;
        let b = app.org("bravo").await;
        let mine = app.grace(&a).await;
        let theirs = app.grace(&b).await;
        for q in ["hopper", "hoper", "555-0188", "navy"] {
            assert_eq!(
                ids(&search(&app, &a, q).await),
                [mine["id"].as_str().unwrap()],
                "[{e}] {q}"
            );
            assert_eq!(
                ids(&search(&app, &b, q).await),
                [theirs["id"].as_str().unwrap()],
                "[{e}] {q}"
            );
        }
        app.customer(&b, json!({"first_name": "Zed", "last_name": "Bravo"}))
            .await;
        assert!(names(&search(&app, &a, "zed").await).is_empty(), "[{e}]");
    }
}

#[tokio::test]
async fn deleted_customers_leave_search_and_come_back_on_restore() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}", grace["id"].as_str().unwrap());
        expect_status(app.delete(&org, &path).await, StatusCode::NO_CONTENT, e).await;
        assert!(
            names(&search(&app, &org, "hopper").await).is_empty(),
            "[{e}]"
        );
        assert!(
            names(&lookup(&app, &org, "5125550188").await).is_empty(),
            "[{e}]"
        );
        expect_status(
            app.post(&org, &format!("{path}/restore"), json!({})).await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(
            names(&search(&app, &org, "hopper").await),
            ["Grace Hopper"],
            "[{e}]"
        );

        // An update replaces what the customer is found by.
        expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": 3, "last_name": "Murray", "phone": null}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(
            names(&search(&app, &org, "hopper").await).is_empty(),
            "[{e}]"
        );
        assert!(
            names(&search(&app, &org, "555-0188").await).is_empty(),
            "[{e}]"
        );
        assert_eq!(
            names(&search(&app, &org, "murray").await),
            ["Grace Murray"],
            "[{e}]"
        );
        assert_eq!(
            names(&search(&app, &org, "grace").await),
            ["Grace Murray"],
            "[{e}]"
        );
        // The customers list filters through the same index.
        let list = expect_status(
            app.get(&org, "/api/v1/customers?q=murr").await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(names(&list), ["Grace Murray"], "[{e}]");
    }
}

#[tokio::test]
async fn caller_id_matches_any_format_within_the_org() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("alpha").await;
        let b = app.org("bravo").await;
        let grace = app.grace(&a).await;
        app.customer(&b, json!({"first_name": "Bob", "phone": "+1 737 555 0199"}))
            .await;
        for number in [
            "+1 512-555-0188",
            "5125550188",
            "(512) 555 0188",
            "15125550188",
        ] {
            let found = lookup(&app, &a, number).await;
            assert_eq!(
                ids(&found),
                [grace["id"].as_str().unwrap()],
                "[{e}] {number}"
            );
            let item = &found["items"][0];
            assert_eq!(item["display_name"], "Grace Hopper");
            assert_eq!(item["phone"], "+15125550188");
            assert_eq!(item["tags"], json!([]));
            assert!(item["call_status"].is_null());
            assert!(item["business_name"].is_null());
        }
        assert!(
            names(&lookup(&app, &a, "737 555 0199").await).is_empty(),
            "[{e}] another org's number finds nothing"
        );
        assert_eq!(
            names(&lookup(&app, &b, "737 555 0199").await),
            ["Bob"],
            "[{e}]"
        );
        let bad = app
            .http
            .get(app.url("/api/v1/lookup/phone?number=anonymous"))
            .bearer_auth(&a.key)
            .send()
            .await
            .unwrap();
        let problem = expect_status(bad, StatusCode::UNPROCESSABLE_ENTITY, e).await;
        assert_eq!(problem_fields(&problem), ["number"], "[{e}]");
    }
}

#[tokio::test]
async fn caller_id_finds_foreign_numbers_in_their_written_forms() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("alpha").await;
        // A German mobile saved in a US organisation kept its own digits
        // (the phone library once dropped the `1` after +49).
        let klaus = app
            .customer(
                &org,
                json!({"first_name": "Klaus", "phone": "+49 151 23456789"}),
            )
            .await;
        assert_eq!(klaus["phone"], "+4915123456789", "[{e}]");
        for number in [
            "+4915123456789",
            "0049 151 23456789",
            "011 49 151 23456789",
            "+49 (0)151 23456789",
        ] {
            let found = lookup(&app, &org, number).await;
            assert_eq!(
                ids(&found),
                [klaus["id"].as_str().unwrap()],
                "[{e}] {number}"
            );
        }
        // Search takes the beginning of the number in the same forms.
        for typed in ["+49 151 234", "0049 151 234", "+49 (0)151 234"] {
            assert_eq!(
                names(&search(&app, &org, typed).await),
                ["Klaus"],
                "[{e}] {typed}"
            );
        }
    }
}

/// A name whose both words have dozens of one-typo neighbours in the
/// vocabulary (a large book has them) once made the name-pair probes
/// multiply past SQLite's 500 terms of a compound SELECT: a 500.
#[tokio::test]
async fn names_with_many_misspelt_neighbours_still_search() {
    let typo = |word: &str, i: usize| {
        let mut chars: Vec<char> = word.chars().collect();
        let at = 1 + i % (chars.len() - 1);
        chars[at] = (b'a' + (i / (chars.len() - 1)) as u8 % 26) as char;
        chars.into_iter().collect::<String>()
    };
    for app in apps().await {
        let e = app.engine;
        let org = app.org("alpha").await;
        app.customer(
            &org,
            json!({"first_name": "Jonathan", "last_name": "Richardson"}),
        )
        .await;
        for i in 0..40 {
            let (first, last) = (typo("jonathan", i), typo("richardson", i));
            app.customer(&org, json!({"first_name": first, "last_name": last}))
                .await;
        }
        for q in ["jonathan richardson", "jonathon richardsen"] {
            let found = names(&search(&app, &org, q).await);
            assert!(!found.is_empty(), "[{e}] {q}");
        }
        assert_eq!(
            names(&search(&app, &org, "jonathan richardson").await)[0],
            "Jonathan Richardson",
            "[{e}]"
        );
    }
}

/// Reads an SSE stream until an event with `name` arrives; its data as JSON.
pub(crate) async fn next_event(
    res: &mut reqwest::Response,
    buf: &mut String,
    name: &str,
) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = if v.trim() == name { name } else { "other" };
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if event == name {
                return serde_json::from_str(&data).ok();
            }
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .ok()?
            .ok()??;
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn incoming_calls_reach_the_live_stream_of_their_org_only() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("alpha").await;
        let b = app.org("bravo").await;
        let grace = app.grace(&a).await;
        app.customer(&b, json!({"first_name": "Bob", "phone": "+1 737 555 0199"}))
            .await;
        let open = |org: &TestOrg| {
            app.http
                .get(app.url("/api/v1/events/stream"))
                .bearer_auth(&org.key)
                .send()
        };
        let mut stream_a = open(&a).await.expect("stream a");
        assert_eq!(stream_a.status(), StatusCode::OK, "[{e}]");
        let mut stream_b = open(&b).await.expect("stream b");
        let (mut buf_a, mut buf_b) = (String::new(), String::new());

        // PostgreSQL relays through LISTEN, which may still be connecting
        // when the server has just started: ring until it is up.
        let mut first = None;
        for _ in 0..10 {
            let res = app
                .post(
                    &a,
                    "/api/v1/calls/incoming",
                    json!({"number": "(512) 555 0188"}),
                )
                .await;
            let call = expect_status(res, StatusCode::OK, e).await;
            assert_eq!(call["items"][0]["customer_id"], grace["id"], "[{e}]");
            first = next_event(&mut stream_a, &mut buf_a, "incoming_call").await;
            if first.is_some() {
                break;
            }
        }
        let first = first.unwrap_or_else(|| panic!("[{e}] no incoming_call event"));
        assert_eq!(first["e164"], "+15125550188", "[{e}]");
        assert_eq!(first["items"][0]["display_name"], "Grace Hopper", "[{e}]");
        assert_eq!(first["items"][0]["tags"], json!([]), "[{e}]");

        // Bravo's call goes to Bravo; Alpha's next event is its own next call.
        app.post(
            &b,
            "/api/v1/calls/incoming",
            json!({"number": "737-555-0199"}),
        )
        .await;
        let theirs = next_event(&mut stream_b, &mut buf_b, "incoming_call")
            .await
            .unwrap_or_else(|| panic!("[{e}] bravo got no event"));
        assert_eq!(theirs["items"][0]["display_name"], "Bob", "[{e}]");
        app.post(
            &a,
            "/api/v1/calls/incoming",
            json!({"number": "+1 415 555 0100"}),
        )
        .await;
        let next = next_event(&mut stream_a, &mut buf_a, "incoming_call")
            .await
            .unwrap_or_else(|| panic!("[{e}] alpha got no second event"));
        assert_eq!(
            next["e164"], "+14155550100",
            "[{e}] not bravo's call: {next}"
        );
        assert_eq!(next["items"], json!([]), "[{e}] an unknown caller");

        let anonymous = app
            .http
            .get(app.url("/api/v1/events/stream"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "[{e}]");
    }
}

#[tokio::test]
async fn search_finds_customers_by_service_address_and_equipment_serial() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let id = c["id"].as_str().unwrap();
        let address = expect_status(
            app.post(&org, &format!("/api/v1/customers/{id}/addresses"), serde_json::json!({"line1": "42 Wallaby Way", "city": "Sydney", "postal_code": "2000"})).await,
            reqwest::StatusCode::CREATED,
            e,
        )
        .await;
        let address_id = address["id"].as_str().unwrap();
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/addresses/{address_id}/equipment"),
                serde_json::json!({"kind": "Furnace", "serial_number": "QX7781234"}),
            )
            .await,
            reqwest::StatusCode::CREATED,
            e,
        )
        .await;
        for q in ["wallaby", "QX7781234"] {
            let found = expect_status(
                app.get(&org, &format!("/api/v1/search?q={q}")).await,
                reqwest::StatusCode::OK,
                e,
            )
            .await;
            let ids: Vec<&str> = found["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["customer_id"].as_str())
                .collect();
            assert_eq!(ids, [id], "[{e}] search {q:?}");
        }
        // Removing the address takes its lines and its equipment out of search.
        expect_status(
            app.delete(&org, &format!("/api/v1/addresses/{address_id}"))
                .await,
            reqwest::StatusCode::NO_CONTENT,
            e,
        )
        .await;
        let gone = expect_status(
            app.get(&org, "/api/v1/search?q=wallaby").await,
            reqwest::StatusCode::OK,
            e,
        )
        .await;
        assert!(gone["items"].as_array().unwrap().is_empty(), "[{e}] {gone}");
    }
}

#[tokio::test]
async fn caller_id_brings_the_customers_tags_and_last_call_status() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let id = c["id"].as_str().unwrap();
        expect_status(
            app.post(&org, "/api/v1/tags", json!({"name": "VIP"})).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/customers/{id}/tags"),
                json!({"name": "VIP"}),
            )
            .await,
            StatusCode::CREATED,
            e,
        )
        .await;
        let status = app
            .api(
                &org,
                reqwest::Method::PUT,
                &format!("/api/v1/customers/{id}/call-status"),
                Some(json!({"status": "left_voicemail"})),
            )
            .await;
        assert!(status.status().is_success(), "[{e}] {}", status.status());
        let found = expect_status(
            app.get(&org, "/api/v1/lookup/phone?number=5125550188")
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(found["items"][0]["tags"], json!(["VIP"]), "[{e}] {found}");
        assert_eq!(
            found["items"][0]["call_status"], "left_voicemail",
            "[{e}] {found}"
        );
    }
}
