//! Job photos: allowed types only, 10 MB, stored under ids (a file name
//! cannot escape the folder), served only to the owning organisation.

use super::*;
use sha2::{Digest, Sha256};

pub(crate) const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
pub(crate) const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1,
];
const MAX: usize = 10 * 1024 * 1024;

pub(crate) async fn raw(
    app: &TestApp,
    org: &TestOrg,
    job: &str,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/v1/jobs/{job}/photos")))
        .bearer_auth(&org.key)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload")
}

/// A multipart/form-data body with one file part (and any text fields).
pub(crate) fn multipart(
    fields: &[(&str, &str)],
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "hearth-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn photos_are_checked_stored_and_served_back() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let job = id(&book(&app, &org, tune_up(&s)).await);

        let photo = expect_status(
            raw(&app, &org, &job, "image/png", PNG.to_vec()).await,
            StatusCode::CREATED,
            e,
        )
        .await;
        assert_eq!(photo["content_type"], "image/png", "[{e}]");
        assert_eq!(photo["size_bytes"], PNG.len());
        assert_eq!(photo["file_name"], "photo.png");
        let digest: String = Sha256::digest(PNG)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(photo["sha256"], digest, "[{e}]");
        assert_eq!(photo["uploaded_by"]["kind"], "api_key");

        let path = format!("/api/v1/jobs/{job}/photos/{}", id(&photo));
        let res = app.get(&org, &path).await;
        assert_eq!(res.status(), StatusCode::OK, "[{e}]");
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(
            res.headers()["content-disposition"],
            "inline; filename=\"photo.png\""
        );
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(
            res.bytes().await.unwrap().as_ref(),
            PNG,
            "[{e}] the same bytes"
        );

        // Multipart, with a file name that tries to leave the folder.
        let (ct, body) = multipart(&[], "../../../../evil.jpg", "image/jpeg", JPEG);
        let res = raw(&app, &org, &job, &ct, body).await;
        let evil = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(
            evil["file_name"], "evil.jpg",
            "[{e}] only the last component"
        );
        assert_eq!(evil["content_type"], "image/jpeg");
        let (ct, body) = multipart(&[], "..\\..\\boot.ini", "image/jpeg", JPEG);
        let res = raw(&app, &org, &job, &ct, body).await;
        assert_eq!(
            expect_status(res, StatusCode::CREATED, e).await["file_name"],
            "boot.ini"
        );
        let stored = files_under(app.files.path());
        assert_eq!(stored.len(), 3, "[{e}] {stored:?}");
        for file in &stored {
            assert!(file.starts_with(app.files.path()), "[{e}] {file:?} escaped");
            let name = file.file_name().unwrap().to_str().unwrap();
            assert!(
                name.parse::<uuid::Uuid>().is_ok(),
                "[{e}] stored under an id, not {name}"
            );
        }
        let parent = app.files.path().parent().unwrap();
        assert!(!parent.join("evil.jpg").exists() && !std::path::Path::new("/evil.jpg").exists());
        let res = app
            .get(&org, &format!("/api/v1/jobs/{job}/photos/{}", id(&evil)))
            .await;
        assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG, "[{e}]");

        let listed = ok(&app, &org, &format!("/api/v1/jobs/{job}/photos")).await;
        assert_eq!(items(&listed).len(), 3, "[{e}]");
        assert_eq!(items(&listed)[0]["id"], photo["id"]);
        let timeline = ok(
            &app,
            &org,
            &format!("/api/v1/customers/{}/timeline?kind=job", s.customer),
        )
        .await;
        assert_eq!(items(&timeline)[0]["action"], "job.photo_added", "[{e}]");

        // Another organisation cannot fetch it, even knowing both ids.
        let other = app.org("other").await;
        expect_status(app.get(&other, &path).await, StatusCode::NOT_FOUND, e).await;
        // Nor through another job of its own.
        let theirs = site(&app, &other, "other").await;
        let their_job = id(&book(&app, &other, tune_up(&theirs)).await);
        let crossed = format!("/api/v1/jobs/{their_job}/photos/{}", id(&photo));
        expect_status(app.get(&other, &crossed).await, StatusCode::NOT_FOUND, e).await;
        // A photo id under the wrong job of the right org is not found either.
        let second = id(&book(&app, &org, tune_up(&s)).await);
        let wrong = format!("/api/v1/jobs/{second}/photos/{}", id(&photo));
        expect_status(app.get(&org, &wrong).await, StatusCode::NOT_FOUND, e).await;
    }
}

#[tokio::test]
async fn photos_must_be_allowed_images_of_at_most_10_mb() {
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let s = site(&app, &org, "acme").await;
        let job = id(&book(&app, &org, tune_up(&s)).await);
        let cases: [(&str, Vec<u8>, &str); 6] = [
            ("text/plain", b"hello".to_vec(), "content_type"),
            (
                "image/png",
                b"<html><script>alert(1)</script>".to_vec(),
                "content_type",
            ),
            ("image/png", JPEG.to_vec(), "content_type"),
            ("image/gif", b"GIF89a\x01\0\x01\0".to_vec(), "content_type"),
            (
                "image/svg+xml",
                b"<svg onload=alert(1)>".to_vec(),
                "content_type",
            ),
            ("image/png", vec![], "file"),
        ];
        for (content_type, body, field) in cases {
            let res = raw(&app, &org, &job, content_type, body).await;
            let problem = expect_status(res, StatusCode::UNPROCESSABLE_ENTITY, e).await;
            assert_eq!(problem_fields(&problem), [field], "[{e}] {content_type}");
        }
        let (ct, body) = multipart(&[], "notes.txt", "text/plain", b"just text");
        let problem = expect_status(
            raw(&app, &org, &job, &ct, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            e,
        )
        .await;
        assert_eq!(problem_fields(&problem), ["content_type"], "[{e}]");

        let mut big = PNG.to_vec();
        big.resize(MAX + 1, 0);
        let res = raw(&app, &org, &job, "image/png", big.clone()).await;
        expect_status(res, StatusCode::PAYLOAD_TOO_LARGE, e).await;
        let (ct, body) = multipart(&[], "big.png", "image/png", &big);
        expect_status(
            raw(&app, &org, &job, &ct, body).await,
            StatusCode::PAYLOAD_TOO_LARGE,
            e,
        )
        .await;

        let listed = ok(&app, &org, &format!("/api/v1/jobs/{job}/photos")).await;
        assert!(items(&listed).is_empty(), "[{e}] nothing stored");
        assert!(
            files_under(app.files.path()).is_empty(),
            "[{e}] no bytes left behind"
        );

        // A photo just under the limit is fine.
        big.truncate(MAX);
        let res = raw(&app, &org, &job, "image/png", big).await;
        let photo = expect_status(res, StatusCode::CREATED, e).await;
        assert_eq!(photo["size_bytes"], MAX, "[{e}]");
    }
}
