//! The card's quick actions and the channel settings page.

use super::*;

#[tokio::test]
async fn staff_send_from_the_card_and_see_the_status_and_channels() {
    for app in apps().await {
        let org = app.org("acme").await;
        let grace = app.grace(&org).await["id"].as_str().unwrap().to_string();
        let staff = Staff::sign_in(&app, &org).await;
        let card = format!("/customers/{grace}");
        let (status, html) = staff.get(&card).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Send email or SMS"), "[{}]", app.engine);

        let action = format!("/customers/{grace}/messages");
        let (status, location, _) = staff
            .post(
                &action,
                &[
                    ("channel", "sms"),
                    ("template_id", ""),
                    ("subject", ""),
                    ("body", "On our way, {{first_name}}"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{}]", app.engine);
        assert_eq!(location, format!("/customers/{grace}#communications"));
        let (_, html) = staff.get(&card).await;
        assert!(html.contains("On our way, Grace"), "[{}]", app.engine);
        assert!(html.contains("status-queued"), "[{}]", app.engine);

        let (status, _, html) = staff
            .post(
                &action,
                &[("channel", "email"), ("subject", ""), ("body", "Hello")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{}]", app.engine);
        assert!(html.contains("is required for email"), "{html}");
        assert!(html.contains(">Hello</textarea>"), "what was typed stays");

        let (status, html) = staff.get("/settings/channels").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("SMS provider") && html.contains("Inbound SMS hook"));
    }
}
