use std::io::Write;
use std::process::{Command, Stdio};

fn hearth(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.arg("--data-dir").arg(dir).env_remove("DATABASE_URL");
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run hearth");
    assert!(
        out.status.success(),
        "hearth failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A `hearth serve` child process, killed when dropped.
struct Running {
    child: std::process::Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `hearth serve` on a random port of the given folder.
fn serve(dir: &std::path::Path) -> Running {
    let child = hearth(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut running = Running {
        child,
        base: String::new(),
    };
    let mut stdout = std::io::BufReader::new(running.child.stdout.take().unwrap());
    let mut line = String::new();
    while running.base.is_empty() {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0,
            "server exited"
        );
        if let Some(url) = line.trim().strip_prefix("Hearth is serving on ") {
            running.base = url.to_string();
        }
    }
    running
}

#[tokio::test]
async fn a_fresh_folder_just_works_and_keeps_its_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    run(hearth(dir.path()).args(["org", "create", "--name", "Acme Heating", "--slug", "acme"]));
    let mut child = hearth(dir.path())
        .args([
            "user",
            "create",
            "--org",
            "acme",
            "--email",
            "owner@acme.test",
            "--role",
            "owner",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let key = run(hearth(dir.path()).args(["apikey", "create", "--org", "acme", "--name", "cli"]))
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(key.starts_with("hk_"), "the key is the last line of stdout");

    let http = reqwest::Client::new();
    let server = serve(dir.path());
    let base = server.base.clone();
    let res = http
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"first_name": "Kept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let backup = dir.path().join("copy.db");
    run(hearth(dir.path()).arg("backup").arg(&backup));
    assert!(
        backup.metadata().unwrap().len() > 0,
        "backup taken while serving"
    );
    drop(server);

    let server = serve(dir.path());
    let base = server.base.clone();
    let res = http
        .get(format!("{base}/api/v1/customers/{id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the customer survived a kill and restart"
    );
    drop(server);

    // The backup is a working database: serve it and find the customer.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&backup, restored.path().join("hearth.db")).unwrap();
    let server = serve(restored.path());
    let base = server.base.clone();
    let res = http
        .get(format!("{base}/api/v1/customers/{id}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the backup holds the customer");
    drop(server);
}

#[test]
fn bad_cli_input_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = hearth(dir.path())
        .args(["org", "create", "--name", "X", "--slug", "Bad Slug"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("slug"),
        "names the field"
    );
    let out = hearth(dir.path())
        .args([
            "user",
            "create",
            "--org",
            "nope",
            "--email",
            "a@b.test",
            "--role",
            "boss",
            "--password-stdin",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[test]
fn keys_can_be_listed_and_revoked_and_users_disabled() {
    let dir = tempfile::tempdir().unwrap();
    run(hearth(dir.path()).args(["org", "create", "--name", "Acme", "--slug", "acme"]));
    let key =
        run(hearth(dir.path()).args(["apikey", "create", "--org", "acme", "--name", "zapier"]));
    let key = key.trim();
    let listed = run(hearth(dir.path()).args(["apikey", "list", "--org", "acme"]));
    assert!(
        listed.contains("zapier") && !listed.contains(key),
        "lists keys without their secret"
    );
    let id = listed.split_whitespace().next().unwrap();
    run(hearth(dir.path()).args(["apikey", "revoke", "--org", "acme", "--id", id]));
    assert!(!run(hearth(dir.path()).args(["apikey", "list", "--org", "acme"])).contains("zapier"));
    let out = hearth(dir.path())
        .args(["user", "disable", "--email", "ghost@acme.test"])
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("email"));
}
