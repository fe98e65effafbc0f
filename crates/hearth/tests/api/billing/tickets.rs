use super::*;

#[tokio::test]
async fn tickets_hold_a_conversation_and_show_on_the_timeline() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = id(&app.grace(&org).await);
        let t = created(
            &app,
            &org,
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": " No heat upstairs ", "channel": "phone", "priority": "high",
                   "body": "Upstairs rooms stay at 60°F since the visit."}),
        )
        .await;
        assert_eq!(
            (t["subject"].as_str(), t["status"].as_str()),
            (Some("No heat upstairs"), Some("open")),
            "[{e}]"
        );
        assert_eq!(
            (t["channel"].as_str(), t["priority"].as_str()),
            (Some("phone"), Some("high"))
        );
        assert_eq!(t["message_count"], 1, "[{e}] the body is the first message");
        let path = format!("/api/v1/tickets/{}", id(&t));
        let messages = format!("{path}/messages");
        let first = items(&ok(&app, &org, &messages).await);
        assert_eq!(
            (
                first[0]["author"].as_str(),
                first[0]["author_name"].as_str()
            ),
            (Some("customer"), Some("Grace Hopper")),
            "[{e}]"
        );

        let reply = created(
            &app,
            &org,
            &messages,
            json!({"body": "A technician will call you today."}),
        )
        .await;
        assert_eq!(
            (reply["author"].as_str(), reply["author_name"].as_str()),
            (Some("staff"), Some("tests")),
            "[{e}]"
        );
        assert_eq!(
            refused(&app, &org, &messages, json!({"body": "   "})).await,
            ["body"],
            "[{e}]"
        );
        assert_eq!(
            refused(
                &app,
                &org,
                &messages,
                json!({"body": "x", "author": "robot"})
            )
            .await,
            ["author"],
            "[{e}]"
        );
        let all = items(&ok(&app, &org, &messages).await);
        assert_eq!(all.len(), 2, "[{e}] oldest first");
        assert_eq!(all[1]["id"], reply["id"]);

        let t = ok(&app, &org, &path).await;
        let pending = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": t["version"], "status": "pending"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(pending["status"], "pending", "[{e}]");
        let resolved = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": pending["version"], "status": "resolved"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert!(resolved["resolved_at"].is_string(), "[{e}]");
        expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": t["version"], "priority": "low"}),
            )
            .await,
            StatusCode::CONFLICT,
            e,
        )
        .await;
        let problem = expect_status(
            app.patch(
                &org,
                &path,
                json!({"version": resolved["version"], "subject": ""}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["subject"]);

        let other = created(
            &app,
            &org,
            "/api/v1/tickets",
            json!({"customer_id": c, "subject": "Invoice question"}),
        )
        .await;
        assert_eq!(
            (
                other["channel"].as_str(),
                other["priority"].as_str(),
                other["message_count"].as_i64()
            ),
            (Some("other"), Some("normal"), Some(0))
        );
        let ids = |page: &Value| items(page).iter().map(id).collect::<Vec<_>>();
        assert_eq!(
            ids(&ok(&app, &org, "/api/v1/tickets?status=open").await),
            [id(&other)],
            "[{e}]"
        );
        assert_eq!(
            ids(&ok(&app, &org, "/api/v1/tickets?status=resolved").await),
            [id(&t)],
            "[{e}]"
        );
        assert_eq!(
            ids(&ok(&app, &org, &format!("/api/v1/tickets?customer_id={c}")).await).len(),
            2
        );
        let problem = expect_status(
            app.get(&org, "/api/v1/tickets?status=done").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["status"]);
        assert_eq!(
            refused(
                &app,
                &org,
                "/api/v1/tickets",
                json!({"customer_id": c, "subject": ""})
            )
            .await,
            ["subject"],
            "[{e}]"
        );

        let events = timeline(&app, &org, &c, "support").await;
        let actions: Vec<&str> = events
            .iter()
            .map(|ev| ev.split(':').next().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "ticket.created",
                "ticket.status_changed",
                "ticket.status_changed",
                "ticket_message.message_added",
                "ticket_message.message_added",
                "ticket.created"
            ],
            "[{e}] {events:?}"
        );
    }
}
