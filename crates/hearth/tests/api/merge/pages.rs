//! The duplicates and merge pages: review a pair, preview, confirm, undo;
//! the merged-away customer's old page address leads to the kept one.

use crate::helpers::{Staff, apps, id, ok};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn staff_review_preview_merge_and_undo_through_the_pages() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let a = id(&app.grace(&org).await);
        let b = id(&app
            .customer(
                &org,
                json!({"first_name": "Grace", "last_name": "Hoper", "phone": "512.555.0188"}),
            )
            .await);
        let staff = Staff::sign_in(&app, &org).await;

        // The pair is listed with its reasons; the older record is kept.
        let list = staff.page("/duplicates", StatusCode::OK).await;
        assert!(list.contains("same phone +15125550188"), "[{e}] {list}");
        let review_path = format!("/customers/{a}/merge?other={b}");
        assert!(list.contains(&review_path), "[{e}] {list}");
        // The card has a slot for the look-alikes, which warn and offer
        // the merge.
        let card = staff.page(&format!("/customers/{b}"), StatusCode::OK).await;
        let look_alikes = format!("/customers/{b}/look-alikes");
        assert!(
            card.contains(&format!(r#"data-fill="{look_alikes}""#)),
            "[{e}]"
        );
        let warning = staff.page(&look_alikes, StatusCode::OK).await;
        assert!(warning.contains(r#"id="duplicates""#), "[{e}]");
        assert!(warning.contains("Possible duplicates"), "[{e}]");
        assert!(
            warning.contains(&format!("/customers/{b}/merge?other={a}")),
            "[{e}]"
        );
        // A customer nobody looks like has no warning to fill the slot with.
        let alone = id(&app
            .customer(
                &org,
                json!({"first_name": "Zebulon", "last_name": "Quixote"}),
            )
            .await);
        let none = staff
            .page(&format!("/customers/{alone}/look-alikes"), StatusCode::OK)
            .await;
        assert!(!none.contains(r#"id="duplicates""#), "[{e}]");

        // Side by side: a choice where they differ, the same phone once,
        // and no confirm before a preview.
        let review = staff.page(&review_path, StatusCode::OK).await;
        assert!(
            review.contains(r#"name="keep_last_name" value="other""#),
            "[{e}] {review}"
        );
        assert!(!review.contains(r#"name="keep_phone""#), "[{e}]");
        assert!(!review.contains("merge-confirm"), "[{e}]");
        let preview = staff
            .page(
                &format!("{review_path}&preview=1&keep_last_name=other"),
                StatusCode::OK,
            )
            .await;
        assert!(
            preview.contains(r#"<input type="hidden" name="keep_last_name" value="other">"#),
            "[{e}] {preview}"
        );
        assert!(preview.contains("Timeline entries"), "[{e}]");
        ok(&app, &org, &format!("/api/v1/customers/{b}")).await;
        // A choice of a field a merge does not make is named.
        let (status, bad) = staff
            .get(&format!("{review_path}&preview=1&keep_shoe=other"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(bad.contains("keep.shoe"), "[{e}]");

        // Confirming needs the CSRF token.
        let res = app
            .http
            .post(app.url(&format!("/customers/{a}/merge")))
            .header("cookie", &staff.cookie)
            .form(&[("other_id", b.as_str()), ("keep_last_name", "other")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        ok(&app, &org, &format!("/api/v1/customers/{b}")).await;

        let (status, location, _) = staff
            .post(
                &format!("/customers/{a}/merge"),
                &[("other_id", &b), ("keep_last_name", "other")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let prefix = format!("/customers/{a}?merged=");
        assert!(location.starts_with(&prefix), "[{e}] {location}");
        let merge_id = location[prefix.len()..].to_string();
        let card = staff.page(&location, StatusCode::OK).await;
        assert!(card.contains("<h1>Grace Hoper</h1>"), "[{e}]");
        assert!(
            card.contains("Merged Grace Hoper into this customer"),
            "[{e}]"
        );
        assert!(card.contains(&format!("/merges/{merge_id}/undo")), "[{e}]");

        // The merged-away customer's old page opens the kept one.
        let res = app
            .http
            .get(app.url(&format!("/customers/{b}")))
            .header("cookie", &staff.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "[{e}]");
        assert_eq!(
            res.headers()["location"],
            format!("/customers/{a}").as_str()
        );

        let record = staff
            .page(&format!("/merges/{merge_id}"), StatusCode::OK)
            .await;
        assert!(
            record.contains("Olive Owner") && record.contains("In effect"),
            "[{e}] {record}"
        );

        // Another organisation sees none of it.
        let other = app.org("other").await;
        let theirs = Staff::sign_in(&app, &other).await;
        for path in [
            format!("/merges/{merge_id}"),
            format!("/customers/{a}/merge"),
            review_path.clone(),
        ] {
            assert_eq!(
                theirs.get(&path).await.0,
                StatusCode::NOT_FOUND,
                "[{e}] {path}"
            );
        }
        let (status, _, _) = theirs.post(&format!("/merges/{merge_id}/undo"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");

        // Undo brings both back; twice is explained, not done.
        let undo = format!("/merges/{merge_id}/undo");
        let (status, location, _) = staff.post(&undo, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(location, format!("/merges/{merge_id}"));
        let record = staff.page(&location, StatusCode::OK).await;
        assert!(record.contains("Undone by Olive Owner"), "[{e}] {record}");
        assert!(!record.contains(&undo), "[{e}] no undo button any more");
        let kept = ok(&app, &org, &format!("/api/v1/customers/{a}")).await;
        assert_eq!(kept["last_name"], "Hopper", "[{e}]");
        let back = ok(&app, &org, &format!("/api/v1/customers/{b}")).await;
        assert_eq!(back["last_name"], "Hoper", "[{e}]");
        let (status, _, body) = staff.post(&undo, &[]).await;
        assert_eq!(status, StatusCode::CONFLICT, "[{e}]");
        assert!(body.contains("already been undone"), "[{e}]");
    }
}

#[tokio::test]
async fn the_merge_picker_finds_the_other_customer_by_search() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let a = id(&app.grace(&org).await);
        let b = id(&app
            .customer(
                &org,
                json!({"first_name": "Amazing", "last_name": "Grace", "email": "amazing@example.com"}),
            )
            .await);
        let staff = Staff::sign_in(&app, &org).await;
        let card = staff.page(&format!("/customers/{a}"), StatusCode::OK).await;
        assert!(card.contains(&format!("/customers/{a}/merge\"")), "[{e}]");
        let picker = staff
            .page(&format!("/customers/{a}/merge?q=amazing"), StatusCode::OK)
            .await;
        assert!(
            picker.contains(&format!("/customers/{a}/merge?other={b}")),
            "[{e}] {picker}"
        );
        // The customer itself is never offered.
        let own = staff
            .page(&format!("/customers/{a}/merge?q=hopper"), StatusCode::OK)
            .await;
        assert!(!own.contains(&format!("merge?other={a}")), "[{e}] {own}");
    }
}

#[tokio::test]
async fn the_duplicates_page_pages_through_the_pairs() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        // 27 pairs, each one person entered twice with one phone.
        for n in 0..27 {
            let phone = format!("(512) 555-{:04}", 1000 + n);
            for name in ["Ann", "Anne"] {
                app.customer(
                    &org,
                    json!({"first_name": name, "last_name": format!("Family{n}"), "phone": phone}),
                )
                .await;
            }
        }
        let staff = Staff::sign_in(&app, &org).await;
        let first = staff.page("/duplicates", StatusCode::OK).await;
        assert_eq!(first.matches("class=\"pair\"").count(), 25, "[{e}]");
        assert!(first.contains("Page 1 of 2"), "[{e}]");
        assert!(first.contains("/duplicates?page=2"), "[{e}]");
        let second = staff.page("/duplicates?page=2", StatusCode::OK).await;
        assert_eq!(second.matches("class=\"pair\"").count(), 2, "[{e}]");
        assert!(second.contains("/duplicates?page=1"), "[{e}]");
        // Every pair once across the pages.
        for n in 0..27 {
            let family = format!("Ann Family{n}<");
            let shown = first.matches(&family).count() + second.matches(&family).count();
            assert_eq!(shown, 1, "[{e}] Family{n}");
        }
    }
}
