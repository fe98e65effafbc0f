//! Email over TLS: implicit TLS and STARTTLS to a loopback SMTP server
//! whose certificate a CA made here signed, trusted only through the CA
//! file setting (`HEARTH_SMTP_CA_FILE`).

use super::*;
use hearth_worker::TlsMode;
use serde_json::json;
use std::io::Write;

/// A private CA's certificate in a PEM file, and a TLS server identity for
/// 127.0.0.1 that it signed.
struct TestCa {
    pem_file: tempfile::NamedTempFile,
    acceptor: TlsAcceptor,
}

fn test_ca() -> TestCa {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Hearth test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let mut pem_file = tempfile::NamedTempFile::new().unwrap();
    pem_file.write_all(ca_cert.pem().as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    TestCa {
        pem_file,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

async fn send_email(app: &TestApp, org: &TestOrg, customer: &str) {
    expect_status(
        app.post(
            org,
            &format!("/api/v1/customers/{customer}/messages"),
            json!({"channel": "email", "subject": "Your visit", "body": "See you on Tuesday."}),
        )
        .await,
        StatusCode::CREATED,
        app.engine,
    )
    .await;
}

#[tokio::test]
async fn email_goes_over_implicit_tls_and_starttls_to_a_server_the_ca_file_vouches_for() {
    let ca = test_ca();
    for app in apps().await {
        let e = app.engine;
        let org = app.org("acme").await;
        let grace = app.grace(&org).await["id"].as_str().unwrap().to_string();
        let smtp_config = |sink: &SmtpSink, tls: TlsMode, trusted: bool| hearth_worker::Config {
            smtp: Some(hearth_worker::SmtpConfig {
                tls,
                ca_file: trusted.then(|| ca.pem_file.path().to_path_buf()),
                ..sink.worker_config()
            }),
            ..worker_config(&app)
        };
        for (mode, tls) in [
            (TlsMode::Tls, SinkTls::Implicit(ca.acceptor.clone())),
            (TlsMode::Starttls, SinkTls::Starttls(ca.acceptor.clone())),
        ] {
            let smtp = SmtpSink::start_with(false, tls).await;
            let worker = spawn_worker(&app, smtp_config(&smtp, mode, true));
            send_email(&app, &org, &grace).await;
            let sent = settled(&app, &org, &grace).await;
            assert_eq!(sent["status"], "sent", "[{e}] {mode:?}: {sent}");
            let mails = smtp.accepted();
            assert_eq!(mails.len(), 1, "[{e}] {mode:?}");
            assert!(mails[0].encrypted, "[{e}] {mode:?}: over TLS");
            assert!(mails[0].decoded().contains("See you on Tuesday."), "[{e}]");
            drop(worker);
        }

        // Without the CA file the server's certificate is refused and
        // nothing is delivered.
        let smtp = SmtpSink::start_with(false, SinkTls::Starttls(ca.acceptor.clone())).await;
        let _worker = spawn_worker(&app, smtp_config(&smtp, TlsMode::Starttls, false));
        send_email(&app, &org, &grace).await;
        let failed = settled(&app, &org, &grace).await;
        assert_eq!(failed["status"], "failed", "[{e}] {failed}");
        assert!(
            failed["delivery_error"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("certificate"),
            "[{e}] {failed}"
        );
        assert!(smtp.accepted().is_empty(), "[{e}]");
    }
}
