//! A customer's child records: additional contacts, service addresses and
//! the equipment at each address.

use crate::helpers::*;
use chrono::{Days, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page")
}

fn days_from_today(days: i64) -> String {
    let today = Utc::now().date_naive();
    let d = if days >= 0 {
        today.checked_add_days(Days::new(days as u64))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    d.unwrap().to_string()
}

/// A customer with one address; returns (customer id, address id).
async fn customer_with_address(app: &TestApp, org: &TestOrg) -> (String, String) {
    let c = app.grace(org).await;
    let a = created(
        app,
        org,
        &format!("/api/v1/customers/{}/addresses", id(&c)),
        json!({"label": "Home", "line1": "12 Oak St", "city": "Austin", "region": "TX", "postal_code": "78701"}),
    )
    .await;
    (id(&c).to_string(), id(&a).to_string())
}

#[tokio::test]
async fn contacts_are_created_read_changed_and_removed() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let list_path = format!("/api/v1/customers/{}/contacts", id(&c));
        let res = app
            .post(
                &org,
                &list_path,
                json!({"name": " Jane Roe ", "phone": "512.555.0199", "email": "Jane@Example.com",
                       "position": "Co-owner", "ownership_pct": 12.5, "customer_type": "Owner",
                       "additional_info": "Prefers texts"}),
            )
            .await;
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let jane = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(location, format!("/api/v1/contacts/{}", id(&jane)));
        assert_eq!(jane["name"], "Jane Roe", "[{e}]");
        assert_eq!(
            jane["phone"], "+15125550199",
            "[{e}] E.164 in the org's region"
        );
        assert_eq!(jane["email"], "jane@example.com");
        assert_eq!(jane["ownership_pct"], 12.5);
        assert_eq!(jane["customer_id"], c["id"]);
        assert_eq!(jane["version"], 1);
        assert_eq!(ok(&app, &org, &location).await, jane, "[{e}]");

        let john = created(
            &app,
            &org,
            &list_path,
            json!({"name": "John Roe", "ownership_pct": 50}),
        )
        .await;
        assert_eq!(
            john["ownership_pct"], 50,
            "[{e}] whole percentages stay whole"
        );
        let page = ok(&app, &org, &format!("{list_path}?limit=1")).await;
        assert_eq!(
            items(&page)[0]["name"],
            "Jane Roe",
            "[{e}] in the order added"
        );
        let cursor = page["next_cursor"].as_str().expect("a second page");
        let page = ok(&app, &org, &format!("{list_path}?limit=1&cursor={cursor}")).await;
        assert_eq!(items(&page)[0]["name"], "John Roe");
        assert!(page["next_cursor"].is_null());

        let changed = expect_status(
            app.patch(
                &org,
                &location,
                json!({"version": 1, "position": "Owner", "ownership_pct": 33.33, "email": null}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["position"], "Owner");
        assert_eq!(changed["ownership_pct"], 33.33);
        assert!(changed["email"].is_null(), "[{e}] null clears");
        assert_eq!(changed["phone"], "+15125550199", "[{e}] absent fields stay");
        assert_eq!(changed["version"], 2);

        expect_status(app.delete(&org, &location).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        expect_status(app.delete(&org, &location).await, StatusCode::NOT_FOUND, e).await;
        let left = ok(&app, &org, &list_path).await;
        assert_eq!(
            items(&left).len(),
            1,
            "[{e}] removed contacts leave the list"
        );
    }
}

#[tokio::test]
async fn bad_contacts_name_the_field_and_change_nothing() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let path = format!("/api/v1/customers/{}/contacts", id(&c));
        for (body, field) in [
            (
                json!({"name": "Jane", "ownership_pct": 140}),
                "ownership_pct",
            ),
            (
                json!({"name": "Jane", "ownership_pct": -5}),
                "ownership_pct",
            ),
            (
                json!({"name": "Jane", "ownership_pct": 12.345}),
                "ownership_pct",
            ),
            (
                json!({"name": "Jane", "ownership_pct": "lots"}),
                "ownership_pct",
            ),
            (json!({"phone": "+15125550199"}), "name"),
            (json!({"name": "Jane", "phone": "call me"}), "phone"),
            (json!({"name": "Jane", "email": "nope"}), "email"),
            (json!({"name": "Jane", "shoe_size": 9}), "shoe_size"),
        ] {
            let problem = expect_status(
                app.post(&org, &path, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), [field], "[{e}] {body}");
        }
        assert!(
            items(&ok(&app, &org, &path).await).is_empty(),
            "[{e}] nothing was created"
        );
        let history = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=contact", id(&c)),
        )
        .await;
        assert!(items(&history).is_empty(), "[{e}] nor recorded");

        let jane = created(
            &app,
            &org,
            &path,
            json!({"name": "Jane", "ownership_pct": 10}),
        )
        .await;
        let contact = format!("/api/v1/contacts/{}", id(&jane));
        let problem = expect_status(
            app.patch(&org, &contact, json!({"version": 1, "ownership_pct": 140}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["ownership_pct"]);
        assert_eq!(ok(&app, &org, &contact).await, jane, "[{e}] unchanged");
    }
}

#[tokio::test]
async fn addresses_keep_exactly_one_primary() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let list_path = format!("/api/v1/customers/{}/addresses", id(&c));
        let home = created(
            &app,
            &org,
            &list_path,
            json!({"label": "Home", "line1": "12 Oak St", "city": "Austin", "region": "TX",
                   "postal_code": "78701", "access_instructions": "Gate code 4512", "is_primary": false}),
        )
        .await;
        assert_eq!(
            home["is_primary"], true,
            "[{e}] the first address is primary"
        );
        assert_eq!(
            home["country"], "US",
            "[{e}] country defaults to the org region"
        );
        assert_eq!(home["access_instructions"], "Gate code 4512");
        let rental = created(
            &app,
            &org,
            &list_path,
            json!({"label": "Rental", "line1": "9 Elm St", "country": "gb"}),
        )
        .await;
        assert_eq!(rental["is_primary"], false, "[{e}]");
        assert_eq!(rental["country"], "GB");
        let office = created(
            &app,
            &org,
            &list_path,
            json!({"label": "Office", "line1": "1 Main St", "is_primary": true}),
        )
        .await;
        assert_eq!(office["is_primary"], true, "[{e}] asked to be primary");

        let primaries = |page: &Value| -> Vec<String> {
            items(page)
                .iter()
                .filter(|a| a["is_primary"] == true)
                .map(|a| a["label"].as_str().unwrap().to_string())
                .collect()
        };
        let page = ok(&app, &org, &list_path).await;
        assert_eq!(
            primaries(&page),
            ["Office"],
            "[{e}] the others stopped being primary"
        );
        let labels: Vec<_> = items(&page).iter().map(|a| a["label"].clone()).collect();
        assert_eq!(labels, ["Office", "Home", "Rental"], "[{e}] primary first");

        // Make the rental primary through a patch.
        let rental_path = format!("/api/v1/addresses/{}", id(&rental));
        let rental = expect_status(
            app.patch(
                &org,
                &rental_path,
                json!({"version": 1, "is_primary": true}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(rental["is_primary"], true);
        assert_eq!(
            primaries(&ok(&app, &org, &list_path).await),
            ["Rental"],
            "[{e}]"
        );
        let office_now = ok(&app, &org, &format!("/api/v1/addresses/{}", id(&office))).await;
        assert_eq!(
            office_now["version"], 2,
            "[{e}] the demotion is a change like any other"
        );

        // The primary cannot simply be un-marked.
        let problem = expect_status(
            app.patch(
                &org,
                &rental_path,
                json!({"version": 2, "is_primary": false}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["is_primary"]);

        // Seasonal access instructions change in place.
        let home_path = format!("/api/v1/addresses/{}", id(&home));
        let home_version = ok(&app, &org, &home_path).await["version"].clone();
        let home = expect_status(
            app.patch(
                &org,
                &home_path,
                json!({"version": home_version, "access_instructions": "Winter: use the side door"}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(home["access_instructions"], "Winter: use the side door");

        // Removing the primary hands the mark to the oldest remaining address.
        expect_status(
            app.delete(&org, &rental_path).await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        expect_status(app.get(&org, &rental_path).await, StatusCode::NOT_FOUND, e).await;
        let page = ok(&app, &org, &list_path).await;
        assert_eq!(items(&page).len(), 2);
        assert_eq!(primaries(&page), ["Home"], "[{e}]");

        for (body, field) in [
            (json!({"city": "Austin"}), "line1"),
            (json!({"line1": "1 A St", "country": "Narnia"}), "country"),
            (
                json!({"line1": "1 A St", "last_service_date": "2020-01-01"}),
                "last_service_date",
            ),
        ] {
            let problem = expect_status(
                app.post(&org, &list_path, body).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), [field], "[{e}]");
        }
        assert_eq!(items(&ok(&app, &org, &list_path).await).len(), 2, "[{e}]");
    }
}

#[tokio::test]
async fn equipment_is_recorded_per_address_with_its_lifecycle() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (customer, address) = customer_with_address(&app, &org).await;
        let list_path = format!("/api/v1/addresses/{address}/equipment");
        let furnace = created(
            &app,
            &org,
            &list_path,
            json!({"kind": "Furnace", "make": "Carrier", "model": "59SC", "serial_number": "CA-1234",
                   "install_date": "2015-09-01", "expected_lifespan_years": 18,
                   "warranty_expires_on": "2025-09-01", "notes": "Filter 16x25"}),
        )
        .await;
        assert_eq!(furnace["kind"], "Furnace", "[{e}]");
        assert_eq!(furnace["address_id"], address.as_str());
        assert_eq!(furnace["customer_id"], customer.as_str());
        assert_eq!(
            furnace["end_of_life_year"], 2033,
            "[{e}] install year + lifespan"
        );
        assert!(furnace["age_years"].as_i64().unwrap() >= 10, "[{e}]");
        assert!(
            furnace["last_service_date"].is_null(),
            "[{e}] filled by jobs later"
        );
        let unit = format!("/api/v1/equipment/{}", id(&furnace));
        assert_eq!(ok(&app, &org, &unit).await, furnace, "[{e}]");
        assert_eq!(items(&ok(&app, &org, &list_path).await).len(), 1);

        for (body, field) in [
            (
                json!({"kind": "Boiler", "install_date": "2020-05-01", "warranty_expires_on": "2019-05-01"}),
                "warranty_expires_on",
            ),
            (
                json!({"kind": "Boiler", "expected_lifespan_years": 101}),
                "expected_lifespan_years",
            ),
            (
                json!({"kind": "Boiler", "expected_lifespan_years": -1}),
                "expected_lifespan_years",
            ),
            (json!({"make": "Bosch"}), "kind"),
            (
                json!({"kind": "Boiler", "last_service_date": "2024-01-01"}),
                "last_service_date",
            ),
            (
                json!({"kind": "Boiler", "install_date": "soon"}),
                "install_date",
            ),
        ] {
            let problem = expect_status(
                app.post(&org, &list_path, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), [field], "[{e}] {body}");
        }
        assert_eq!(
            items(&ok(&app, &org, &list_path).await).len(),
            1,
            "[{e}] nothing created"
        );

        let changed = expect_status(
            app.patch(
                &org,
                &unit,
                json!({"version": 1, "model": "59SC5", "expected_lifespan_years": 20}),
            )
            .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(changed["model"], "59SC5");
        assert_eq!(changed["end_of_life_year"], 2035);
        assert_eq!(
            changed["serial_number"], "CA-1234",
            "[{e}] absent fields stay"
        );
        let problem = expect_status(
            app.patch(
                &org,
                &unit,
                json!({"version": 2, "install_date": days_from_today(10)}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["install_date", "warranty_expires_on"],
            "[{e}] a future install, and now after the warranty end"
        );
        let problem = expect_status(
            app.patch(
                &org,
                &unit,
                json!({"version": 2, "warranty_expires_on": "2010-01-01"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["warranty_expires_on"]);
        let problem = expect_status(
            app.patch(
                &org,
                &unit,
                json!({"version": 2, "last_service_date": "2024-01-01"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            ["last_service_date"],
            "[{e}] system-owned"
        );

        // Moving to another address of the same customer is allowed…
        let cabin = created(
            &app,
            &org,
            &format!("/api/v1/customers/{customer}/addresses"),
            json!({"label": "Cabin", "line1": "4 Lake Rd"}),
        )
        .await;
        let moved = expect_status(
            app.patch(&org, &unit, json!({"version": 2, "address_id": id(&cabin)}))
                .await,
            StatusCode::OK,
            e,
        )
        .await;
        assert_eq!(moved["address_id"], cabin["id"]);
        assert!(items(&ok(&app, &org, &list_path).await).is_empty(), "[{e}]");

        // …to another customer's address, or another org's, is not.
        let (_, elsewhere) = customer_with_address(&app, &org).await;
        let other_org = app.org("other").await;
        let (_, foreign) = customer_with_address(&app, &other_org).await;
        for target in [
            elsewhere.as_str(),
            foreign.as_str(),
            "0190aaaa-0000-7000-8000-000000000000",
        ] {
            let problem = expect_status(
                app.patch(&org, &unit, json!({"version": 3, "address_id": target}))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            assert_eq!(problem_fields(&problem), ["address_id"], "[{e}]");
        }
        assert_eq!(ok(&app, &org, &unit).await["address_id"], cabin["id"]);

        expect_status(app.delete(&org, &unit).await, StatusCode::NO_CONTENT, e).await;
        expect_status(app.get(&org, &unit).await, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn removing_an_address_removes_its_equipment() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (_, address) = customer_with_address(&app, &org).await;
        let unit = created(
            &app,
            &org,
            &format!("/api/v1/addresses/{address}/equipment"),
            json!({"kind": "Water heater", "warranty_expires_on": days_from_today(3)}),
        )
        .await;
        expect_status(
            app.delete(&org, &format!("/api/v1/addresses/{address}"))
                .await,
            StatusCode::NO_CONTENT,
            e,
        )
        .await;
        let unit_path = format!("/api/v1/equipment/{}", id(&unit));
        expect_status(app.get(&org, &unit_path).await, StatusCode::NOT_FOUND, e).await;
        let history = ok(&app, &org, &format!("{unit_path}/history")).await;
        assert_eq!(items(&history)[0]["action"], "equipment.deleted", "[{e}]");
        let warranties = ok(&app, &org, "/api/v1/equipment/warranties").await;
        assert!(items(&warranties).is_empty(), "[{e}]");
        expect_status(
            app.post(
                &org,
                &format!("/api/v1/addresses/{address}/equipment"),
                json!({"kind": "Furnace"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
    }
}

#[tokio::test]
async fn another_org_cannot_reach_any_child_record() {
    for app in apps().await {
        let e = app.engine;
        let a = app.org("org-a").await;
        let b = app.org("org-b").await;
        let (customer, address) = customer_with_address(&app, &b).await;
        let contact = created(
            &app,
            &b,
            &format!("/api/v1/customers/{customer}/contacts"),
            json!({"name": "Jane Roe"}),
        )
        .await;
        let unit = created(
            &app,
            &b,
            &format!("/api/v1/addresses/{address}/equipment"),
            json!({"kind": "Furnace", "warranty_expires_on": days_from_today(5)}),
        )
        .await;
        let records = [
            format!("/api/v1/contacts/{}", id(&contact)),
            format!("/api/v1/addresses/{address}"),
            format!("/api/v1/equipment/{}", id(&unit)),
        ];
        for path in &records {
            for (method, body) in [
                (Method::GET, None),
                (Method::PATCH, Some(json!({"version": 1}))),
                (Method::DELETE, None),
            ] {
                let res = app.api(&a, method.clone(), path, body).await;
                expect_status(res, StatusCode::NOT_FOUND, e).await;
            }
            let res = app.get(&a, &format!("{path}/history")).await;
            expect_status(res, StatusCode::NOT_FOUND, e).await;
        }
        for (path, body) in [
            (
                format!("/api/v1/customers/{customer}/contacts"),
                json!({"name": "Mallory"}),
            ),
            (
                format!("/api/v1/customers/{customer}/addresses"),
                json!({"line1": "1 Evil St"}),
            ),
            (
                format!("/api/v1/addresses/{address}/equipment"),
                json!({"kind": "Furnace"}),
            ),
        ] {
            expect_status(app.post(&a, &path, body).await, StatusCode::NOT_FOUND, e).await;
            expect_status(app.get(&a, &path).await, StatusCode::NOT_FOUND, e).await;
        }
        let warranties = ok(&app, &a, "/api/v1/equipment/warranties").await;
        assert!(items(&warranties).is_empty(), "[{e}] never another org's");
        // Org B's records are untouched.
        assert_eq!(ok(&app, &b, &records[0]).await, contact, "[{e}]");
        assert_eq!(ok(&app, &b, &records[2]).await, unit, "[{e}]");
        assert_eq!(ok(&app, &b, &records[1]).await["version"], 1, "[{e}]");
    }
}

#[tokio::test]
async fn a_stale_version_is_refused_for_every_child_record() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (customer, address) = customer_with_address(&app, &org).await;
        let contact = created(
            &app,
            &org,
            &format!("/api/v1/customers/{customer}/contacts"),
            json!({"name": "Jane Roe"}),
        )
        .await;
        let unit = created(
            &app,
            &org,
            &format!("/api/v1/addresses/{address}/equipment"),
            json!({"kind": "Furnace"}),
        )
        .await;
        for (path, field, first, second) in [
            (
                format!("/api/v1/contacts/{}", id(&contact)),
                "position",
                "Owner",
                "Tenant",
            ),
            (
                format!("/api/v1/addresses/{address}"),
                "label",
                "Main house",
                "Rental",
            ),
            (
                format!("/api/v1/equipment/{}", id(&unit)),
                "make",
                "Carrier",
                "Trane",
            ),
        ] {
            let mut first_patch = json!({"version": 1});
            first_patch[field] = json!(first);
            expect_status(app.patch(&org, &path, first_patch).await, StatusCode::OK, e).await;
            let mut stale = json!({"version": 1});
            stale[field] = json!(second);
            let problem =
                expect_status(app.patch(&org, &path, stale).await, StatusCode::CONFLICT, e).await;
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("current version 2"),
                "[{e}] {problem}"
            );
            assert_eq!(ok(&app, &org, &path).await[field], first, "[{e}] {path}");
        }
    }
}

#[tokio::test]
async fn every_change_is_in_the_timeline_and_the_field_history() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (customer, address) = customer_with_address(&app, &org).await;
        let contact = created(
            &app,
            &org,
            &format!("/api/v1/customers/{customer}/contacts"),
            json!({"name": "Jane Roe", "position": "Tenant"}),
        )
        .await;
        let contact_path = format!("/api/v1/contacts/{}", id(&contact));
        app.patch(
            &org,
            &contact_path,
            json!({"version": 1, "position": "Owner"}),
        )
        .await;
        app.delete(&org, &contact_path).await;

        let address_path = format!("/api/v1/addresses/{address}");
        app.patch(
            &org,
            &address_path,
            json!({"version": 1, "access_instructions": "Key under the mat"}),
        )
        .await;
        let unit = created(
            &app,
            &org,
            &format!("{address_path}/equipment"),
            json!({"kind": "Furnace", "serial_number": "A1"}),
        )
        .await;
        let unit_path = format!("/api/v1/equipment/{}", id(&unit));
        app.patch(
            &org,
            &unit_path,
            json!({"version": 1, "serial_number": "A2"}),
        )
        .await;

        let timeline = |kind: &str| format!("/api/v1/customers/{customer}/timeline?kind={kind}");
        let actions = |page: &Value| -> Vec<String> {
            items(page)
                .iter()
                .map(|t| t["action"].as_str().unwrap().to_string())
                .collect()
        };
        let contacts = ok(&app, &org, &timeline("contact")).await;
        assert_eq!(
            actions(&contacts),
            ["contact.deleted", "contact.updated", "contact.created"],
            "[{e}] newest first"
        );
        assert_eq!(
            items(&contacts)[1]["summary"],
            "Contact Jane Roe: changed position"
        );
        assert_eq!(
            actions(&ok(&app, &org, &timeline("address")).await),
            ["address.updated", "address.created"],
            "[{e}]"
        );
        assert_eq!(
            actions(&ok(&app, &org, &timeline("equipment")).await),
            ["equipment.updated", "equipment.created"],
            "[{e}]"
        );

        let history = ok(&app, &org, &format!("{contact_path}/history")).await;
        let position = items(&history)
            .iter()
            .find(|h| h["action"] == "contact.updated")
            .expect("the change is audited");
        assert_eq!(position["field"], "position");
        assert_eq!(position["before"], "Tenant", "[{e}]");
        assert_eq!(position["after"], "Owner");
        assert_eq!(position["actor"]["kind"], "api_key");
        assert!(
            items(&history)
                .iter()
                .any(|h| h["action"] == "contact.deleted"),
            "[{e}] the removal is audited and the history outlives it"
        );
        let history = ok(&app, &org, &format!("{address_path}/history")).await;
        assert!(
            items(&history)
                .iter()
                .any(|h| h["field"] == "access_instructions" && h["after"] == "Key under the mat")
        );
        assert!(
            items(&history)
                .iter()
                .any(|h| h["action"] == "address.created"
                    && h["field"] == "is_primary"
                    && h["after"] == true)
        );
        let history = ok(&app, &org, &format!("{unit_path}/history?limit=1")).await;
        assert_eq!(items(&history).len(), 1);
        assert_eq!(items(&history)[0]["field"], "serial_number", "[{e}]");
        assert_eq!(items(&history)[0]["before"], "A1");
        assert!(
            history["next_cursor"].is_string(),
            "[{e}] history pages too"
        );
    }
}

#[tokio::test]
async fn warranties_list_covers_the_window_soonest_first() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let (customer, address) = customer_with_address(&app, &org).await;
        let path = format!("/api/v1/addresses/{address}/equipment");
        for (kind, days) in [
            ("In 20 days", 20),
            ("Expired", -1),
            ("Today", 0),
            ("In 40 days", 40),
            ("In 5 days", 5),
        ] {
            created(
                &app,
                &org,
                &path,
                json!({"kind": kind, "warranty_expires_on": days_from_today(days)}),
            )
            .await;
        }
        created(&app, &org, &path, json!({"kind": "No warranty"})).await;
        let gone = created(
            &app,
            &org,
            &path,
            json!({"kind": "Removed", "warranty_expires_on": days_from_today(1)}),
        )
        .await;
        app.delete(&org, &format!("/api/v1/equipment/{}", id(&gone)))
            .await;

        let kinds = |page: &Value| -> Vec<String> {
            items(page)
                .iter()
                .map(|w| w["kind"].as_str().unwrap().to_string())
                .collect()
        };
        let default = ok(&app, &org, "/api/v1/equipment/warranties").await;
        assert_eq!(
            kinds(&default),
            ["Today", "In 5 days", "In 20 days"],
            "[{e}] 30 days by default"
        );
        let first = &items(&default)[0];
        assert_eq!(first["customer_id"], customer.as_str());
        assert_eq!(first["customer_display_name"], "Grace Hopper");
        assert_eq!(first["address_line1"], "12 Oak St");
        assert_eq!(first["warranty_expires_on"], days_from_today(0));

        let wide = ok(&app, &org, "/api/v1/equipment/warranties?within_days=60").await;
        assert_eq!(
            kinds(&wide),
            ["Today", "In 5 days", "In 20 days", "In 40 days"],
            "[{e}]"
        );
        let today_only = ok(&app, &org, "/api/v1/equipment/warranties?within_days=0").await;
        assert_eq!(kinds(&today_only), ["Today"], "[{e}]");

        let mut seen = vec![];
        let mut next = "/api/v1/equipment/warranties?within_days=60&limit=1".to_string();
        loop {
            let page = ok(&app, &org, &next).await;
            seen.extend(kinds(&page));
            match page["next_cursor"].as_str() {
                Some(c) => {
                    next = format!("/api/v1/equipment/warranties?within_days=60&limit=1&cursor={c}")
                }
                None => break,
            }
        }
        assert_eq!(seen, kinds(&wide), "[{e}] pages cover the list once");

        for bad in [
            "within_days=3651",
            "within_days=-1",
            "within_days=soon",
            "cursor=garbage",
        ] {
            let problem = expect_status(
                app.get(&org, &format!("/api/v1/equipment/warranties?{bad}"))
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
                e,
            )
            .await;
            let field = bad.split('=').next().unwrap();
            assert_eq!(problem_fields(&problem), [field], "[{e}] {bad}");
        }

        // A customer in the bin drops off the list.
        app.delete(&org, &format!("/api/v1/customers/{customer}"))
            .await;
        assert!(
            items(&ok(&app, &org, "/api/v1/equipment/warranties").await).is_empty(),
            "[{e}]"
        );
    }
}

#[tokio::test]
async fn child_routes_are_documented() {
    for app in apps().await {
        let e = app.engine;
        let doc = app.openapi().await;
        for path in [
            "/api/v1/customers/{id}/contacts",
            "/api/v1/contacts/{id}",
            "/api/v1/contacts/{id}/history",
            "/api/v1/customers/{id}/addresses",
            "/api/v1/addresses/{id}",
            "/api/v1/addresses/{id}/history",
            "/api/v1/addresses/{id}/equipment",
            "/api/v1/equipment/{id}",
            "/api/v1/equipment/{id}/history",
            "/api/v1/equipment/warranties",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "[{e}] {path} is documented in {:?}",
                doc["paths"]
                    .as_object()
                    .map(|p| p.keys().collect::<Vec<_>>())
            );
        }
    }
}

/// A signed-in browser session: the cookie and the CSRF token of its forms.
struct Session {
    cookie: String,
    csrf: String,
}

impl Session {
    async fn start(app: &TestApp, org: &TestOrg) -> Session {
        let res = app.login(&org.email, &org.password).await;
        let cookie = session_cookie(&res).expect("session cookie");
        let html = app
            .http
            .get(app.url("/customers"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a csrf token")
            .to_string();
        Session { cookie, csrf }
    }

    async fn page(&self, app: &TestApp, path: &str) -> (StatusCode, String) {
        let res = app
            .http
            .get(app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token; returns the status and
    /// where it redirects (or the page it shows).
    async fn post(
        &self,
        app: &TestApp,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let res = app
            .http
            .post(app.url(path))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        match res.headers().get("location") {
            Some(to) => (status, to.to_str().unwrap().to_string()),
            None => (status, res.text().await.unwrap()),
        }
    }
}

#[tokio::test]
async fn staff_manage_child_records_from_the_customer_card() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let c = app.grace(&org).await;
        let customer = id(&c).to_string();
        let card = format!("/customers/{customer}");
        let s = Session::start(&app, &org).await;

        let (status, html) = s.page(&app, &card).await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        for section in [
            "id=\"contacts\"",
            "id=\"addresses\"",
            "Add a contact",
            "Add a service address",
        ] {
            assert!(html.contains(section), "[{e}] the card has {section}");
        }

        // Contacts: add, refuse a bad one, edit, and a stale edit is caught.
        let (status, to) = s
            .post(
                &app,
                &format!("{card}/contacts"),
                &[
                    ("name", "Jane Roe"),
                    ("phone", "512 555 0199"),
                    ("ownership_pct", "25"),
                ],
            )
            .await;
        assert_eq!(
            (status, to.as_str()),
            (StatusCode::SEE_OTHER, format!("{card}#contacts").as_str()),
            "[{e}]"
        );
        let (status, html) = s
            .post(
                &app,
                &format!("{card}/contacts"),
                &[("name", "Too Much"), ("ownership_pct", "140")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(
            html.contains("must be between 0 and 100") && html.contains("value=\"Too Much\""),
            "[{e}] the form comes back filled in"
        );
        let contacts = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{customer}/contacts"),
        )
        .await;
        assert_eq!(items(&contacts).len(), 1, "[{e}] the bad one was not saved");
        let contact = id(&items(&contacts)[0]).to_string();
        let (status, html) = s.page(&app, &format!("/contacts/{contact}/edit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("value=\"Jane Roe\"") && html.contains("value=\"25\""),
            "[{e}]"
        );
        let edit = [
            ("version", "1"),
            ("name", "Jane Roe"),
            ("position", "Co-owner"),
            ("ownership_pct", "25"),
        ];
        let (status, _) = s.post(&app, &format!("/contacts/{contact}"), &edit).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (status, html) = s.post(&app, &format!("/contacts/{contact}"), &edit).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "[{e}] version 1 is stale now"
        );
        assert!(html.contains("Someone else changed this record"), "[{e}]");

        // Addresses and equipment.
        let (status, _) = s
            .post(
                &app,
                &format!("{card}/addresses"),
                &[
                    ("label", "Home"),
                    ("line1", "12 Oak St"),
                    ("city", "Austin"),
                    ("access_instructions", "Gate code 4512"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let addresses = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{customer}/addresses"),
        )
        .await;
        let address = id(&items(&addresses)[0]).to_string();
        let soon = days_from_today(10);
        let (status, to) = s
            .post(
                &app,
                &format!("/addresses/{address}/equipment"),
                &[
                    ("kind", "Furnace"),
                    ("make", "Carrier"),
                    ("install_date", "2015-09-01"),
                    ("expected_lifespan_years", "18"),
                    ("warranty_expires_on", &soon),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        assert_eq!(to, format!("{card}#address-{address}"));
        let (status, html) = s
            .post(
                &app,
                &format!("/addresses/{address}/equipment"),
                &[
                    ("kind", "Boiler"),
                    ("install_date", "2020-05-01"),
                    ("warranty_expires_on", "2019-05-01"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("cannot be before the install date"), "[{e}]");

        let (_, html) = s.page(&app, &card).await;
        for shown in [
            "Jane Roe",
            "Co-owner",
            "25 %",
            "12 Oak St",
            "Gate code 4512",
            "Primary",
            "Furnace Carrier",
            "2033",
            "warranty-soon",
            "ends soon",
        ] {
            assert!(html.contains(shown), "[{e}] the card shows {shown}");
        }
        assert!(!html.contains("Boiler"), "[{e}]");

        let (status, html) = s.page(&app, "/equipment/warranties?within_days=30").await;
        assert_eq!(status, StatusCode::OK, "[{e}]");
        assert!(
            html.contains("Furnace Carrier")
                && html.contains("Grace Hopper")
                && html.contains("in 10 days"),
            "[{e}]"
        );
        let (status, html) = s.page(&app, "/equipment/warranties?within_days=9999").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "[{e}]");
        assert!(html.contains("must be between 0 and 3650"), "[{e}]");

        // Deletes need the form's token.
        let units = ok(
            &app,
            &org,
            &format!("/api/v1/addresses/{address}/equipment"),
        )
        .await;
        let unit = id(&items(&units)[0]).to_string();
        let res = app
            .http
            .post(app.url(&format!("/equipment/{unit}/delete")))
            .header("cookie", &s.cookie)
            .form(&[("_csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "[{e}]");
        let (status, _) = s
            .post(&app, &format!("/equipment/{unit}/delete"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        expect_status(
            app.get(&org, &format!("/api/v1/equipment/{unit}")).await,
            StatusCode::NOT_FOUND,
            e,
        )
        .await;
        let (status, _) = s
            .post(&app, &format!("/contacts/{contact}/delete"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "[{e}]");
        let (_, html) = s.page(&app, &card).await;
        assert!(html.contains("No additional contacts"), "[{e}]");

        // Another organisation's records do not exist for this session.
        let other = app.org("other").await;
        let (_, foreign) = customer_with_address(&app, &other).await;
        let (status, _) = s.page(&app, &format!("/addresses/{foreign}/edit")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");
        let (status, _) = s
            .post(
                &app,
                &format!("/addresses/{foreign}/equipment"),
                &[("kind", "Furnace")],
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");
        let (status, _) = s
            .post(&app, &format!("/addresses/{foreign}/delete"), &[])
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "[{e}]");
    }
}
