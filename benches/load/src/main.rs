//! Open-loop load driver for a Hearth server on this machine.
//!
//! Requests leave on a fixed schedule (`--rate` per second) whether or not
//! earlier ones have been answered, as real callers do; a closed loop would
//! slow down with the server and hide its queueing. Latency is measured from
//! when a request is sent to when its whole body is read; the schedule lag
//! (how late the driver itself sent) is reported beside it, so a driver that
//! could not keep up is visible instead of silently lowering the load.
//! Bounded: every scenario stops after `--duration` seconds, and only
//! loopback addresses are accepted as targets.

use anyhow::{Context, Result, bail};
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Open-loop load against a Hearth server on 127.0.0.1 (benches/README.md)")]
struct Args {
    /// The server; only loopback addresses are accepted.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    /// The sample `hearth bench generate` wrote (API keys, customers).
    #[arg(long)]
    sample: PathBuf,
    /// Requests per second in each scenario.
    #[arg(long, default_value_t = 1000)]
    rate: u32,
    /// Measured seconds per scenario (at most 600: DESIGN.md §6 holds the
    /// mixed load for 10 minutes).
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Unmeasured seconds before each scenario.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Scenarios, comma separated: caller_id, get_customer, overview, card,
    /// timeline, search, board, stage_move, duplicates, create_customer,
    /// mixed.
    #[arg(
        long,
        default_value = "caller_id,get_customer,overview,timeline,search",
        value_delimiter = ','
    )]
    scenarios: Vec<String>,
    /// Requests in flight at most; one that would exceed it is dropped (and counted).
    #[arg(long, default_value_t = 512)]
    max_in_flight: usize,
    /// The server's process id, to report its CPU time per request and peak memory.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

struct Sample {
    keys: Vec<String>,
    customers: Vec<Customer>,
    boards: Vec<Board>,
}

/// An org's default pipeline: its open stages and some open leads.
struct Board {
    org: usize,
    pipeline_id: String,
    open_stages: Vec<String>,
    leads: Vec<String>,
}

/// One request of a scenario: `body` makes it a POST.
struct Req {
    path: String,
    org: usize,
    body: Option<Value>,
}

struct Customer {
    org: usize,
    id: String,
    first_name: String,
    last_name: String,
    phone: String,
}

fn load_sample(path: &PathBuf) -> Result<Sample> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path:?}"))?;
    let v: Value = serde_json::from_str(&text)?;
    let keys = v["orgs"]
        .as_array()
        .context("sample has no orgs")?
        .iter()
        .map(|o| o["key"].as_str().unwrap_or_default().to_string())
        .collect();
    let customers: Vec<Customer> = v["customers"]
        .as_array()
        .context("sample has no customers")?
        .iter()
        .map(|c| Customer {
            org: c["org"].as_u64().unwrap_or(0) as usize,
            id: c["id"].as_str().unwrap_or_default().to_string(),
            first_name: c["first_name"].as_str().unwrap_or_default().to_string(),
            last_name: c["last_name"].as_str().unwrap_or_default().to_string(),
            phone: c["phone"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    if customers.is_empty() {
        bail!("the sample lists no customers");
    }
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let boards = v["boards"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| Board {
                    org: b["org"].as_u64().unwrap_or(0) as usize,
                    pipeline_id: b["pipeline_id"].as_str().unwrap_or_default().to_string(),
                    open_stages: strings(&b["open_stages"]),
                    leads: strings(&b["leads"]),
                })
                .filter(|b| !b.open_stages.is_empty() && !b.leads.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(Sample {
        keys,
        customers,
        boards,
    })
}

fn is_loopback(base: &str) -> bool {
    let rest = base
        .strip_prefix("http://")
        .or_else(|| base.strip_prefix("https://"))
        .unwrap_or("");
    let host = if rest.starts_with("[::1]") {
        "[::1]"
    } else {
        rest.split([':', '/']).next().unwrap_or("")
    };
    host == "localhost"
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|r| {
            r.split('.').count() == 3 && r.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One typo, as a person makes them.
fn typo(rng: &mut StdRng, word: &str) -> String {
    let mut chars: Vec<char> = word.to_lowercase().chars().collect();
    if chars.len() < 5 {
        return word.to_lowercase();
    }
    let i = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => chars.insert(i, chars[i]),
    }
    chars.into_iter().collect()
}

/// `+15125550188` as a caller-ID system or a person might send it.
fn phone_form(rng: &mut StdRng, e164: &str) -> String {
    let d = e164.trim_start_matches("+1");
    if d.len() != 10 {
        return e164.to_string();
    }
    let (a, x, l) = (&d[..3], &d[3..6], &d[6..]);
    match rng.random_range(0..4) {
        0 => e164.to_string(),
        1 => format!("({a}) {x}-{l}"),
        2 => d.to_string(),
        _ => format!("1{d}"),
    }
}

fn search_query(rng: &mut StdRng, c: &Customer) -> String {
    let d = c.phone.trim_start_matches("+1");
    match rng.random_range(0..10) {
        0 | 1 => c.last_name.to_lowercase(),
        2 | 3 => format!("{} {}", c.first_name, c.last_name),
        4 | 5 => typo(rng, &c.last_name),
        6 => format!(
            "{} {}",
            c.first_name.to_lowercase(),
            typo(rng, &c.last_name)
        ),
        7 if d.len() == 10 => format!("{}-{}", &d[3..6], &d[6..8]),
        8 if d.len() == 10 => d[..7].to_string(),
        _ => c.last_name.chars().take(4).collect(),
    }
}

/// The path and API key of one request of `scenario`.
const SCENARIOS: [&str; 11] = [
    "caller_id",
    "get_customer",
    "overview",
    "card",
    "timeline",
    "search",
    "board",
    "stage_move",
    "duplicates",
    "create_customer",
    "mixed",
];

/// DESIGN.md §6's mixed load, by weight: 80 % reads (the customer, its
/// 360°, its timeline, caller ID), 15 % writes (new customers with their
/// duplicate check, lead moves) and 5 % searches.
const MIX: [(&str, u32); 7] = [
    ("get_customer", 30),
    ("overview", 15),
    ("timeline", 20),
    ("caller_id", 15),
    ("create_customer", 10),
    ("stage_move", 5),
    ("search", 5),
];

/// One scenario of [`MIX`], by its weight; lead moves become new customers
/// when the sample has no leads, so writes keep their share.
fn mixed_pick(rng: &mut StdRng, has_boards: bool) -> &'static str {
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (scenario, weight) in MIX {
        if roll < weight {
            return match scenario {
                "stage_move" if !has_boards => "create_customer",
                other => other,
            };
        }
        roll -= weight;
    }
    MIX[0].0
}

fn request(rng: &mut StdRng, sample: &Sample, scenario: &str) -> Req {
    if scenario == "mixed" {
        let pick = mixed_pick(rng, !sample.boards.is_empty());
        return request(rng, sample, pick);
    }
    if let Some(board) = (!sample.boards.is_empty())
        .then(|| &sample.boards[rng.random_range(0..sample.boards.len())])
        .filter(|_| scenario == "board" || scenario == "stage_move")
    {
        return board_request(rng, board, scenario);
    }
    let c = &sample.customers[rng.random_range(0..sample.customers.len())];
    if scenario == "create_customer" {
        return create_request(rng, c);
    }
    let path = match scenario {
        "caller_id" => format!(
            "/api/v1/lookup/phone?number={}",
            encode(&phone_form(rng, &c.phone))
        ),
        "get_customer" => format!("/api/v1/customers/{}", c.id),
        "overview" => format!("/api/v1/customers/{}/overview", c.id),
        // The staff page (HTML); pages take the API key as a session would.
        "card" => format!("/customers/{}", c.id),
        "duplicates" => format!("/api/v1/customers/{}/duplicates", c.id),
        "timeline" => {
            if rng.random_bool(0.5) {
                format!("/api/v1/customers/{}/timeline?limit=50", c.id)
            } else {
                format!(
                    "/api/v1/customers/{}/timeline?limit=50&kind=communication",
                    c.id
                )
            }
        }
        _ => format!(
            "/api/v1/search?limit=20&q={}",
            encode(&search_query(rng, c))
        ),
    };
    Req {
        path,
        org: c.org,
        body: None,
    }
}

/// A new customer, every other one a near-duplicate of `c` (a typo in the
/// last name, the same phone written another way), so the duplicate check
/// on create finds something half the time. The org warns rather than
/// blocks by default, so each request writes a customer with its audit and
/// timeline rows.
fn create_request(rng: &mut StdRng, c: &Customer) -> Req {
    let body = if rng.random_bool(0.5) {
        serde_json::json!({
            "first_name": c.first_name,
            "last_name": typo(rng, &c.last_name),
            "phone": phone_form(rng, &c.phone),
        })
    } else {
        // An exchange from 200: numbers of 0xx and 1xx exchanges do not exist.
        let (exchange, line): (u32, u32) =
            (rng.random_range(200..1000), rng.random_range(0..10_000));
        serde_json::json!({
            "first_name": c.first_name,
            "last_name": format!("Loadtest{exchange}{line}"),
            "phone": format!("+1512{exchange}{line:04}"),
        })
    };
    Req {
        path: "/api/v1/customers".to_string(),
        org: c.org,
        body: Some(body),
    }
}

/// The whole board of 50 cards per column with totals, or a card moved to
/// the top of a random open column.
fn board_request(rng: &mut StdRng, board: &Board, scenario: &str) -> Req {
    if scenario == "board" {
        return Req {
            path: format!("/api/v1/pipelines/{}/board", board.pipeline_id),
            org: board.org,
            body: None,
        };
    }
    let lead = &board.leads[rng.random_range(0..board.leads.len())];
    let stage = &board.open_stages[rng.random_range(0..board.open_stages.len())];
    Req {
        path: format!("/api/v1/leads/{lead}/move"),
        org: board.org,
        body: Some(serde_json::json!({"stage_id": stage, "position": 0})),
    }
}

struct Outcome {
    /// Microseconds from send to the last byte of the body.
    latency_us: u64,
    /// Microseconds the send was later than scheduled.
    lag_us: u64,
    ok: bool,
}

/// utime + stime of a process, in seconds; its peak resident set in MiB.
fn process_usage(pid: u32) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hwm_kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    // USER_HZ is 100 on Linux.
    Some((ticks / 100.0, hwm_kb / 1024.0))
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    // Nearest rank in integer thousandths of a percent: in floating point,
    // 99.9 % of 1000 is 999.0000000000001 and would round up a rank.
    let thousandths = (p * 1000.0).round() as u128;
    let rank = (thousandths * sorted.len() as u128).div_ceil(100_000) as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

async fn run(
    args: &Args,
    client: &reqwest::Client,
    sample: &Arc<Sample>,
    scenario: &str,
) -> Result<String> {
    let rate = args.rate.max(1) as u64;
    let warm = rate * args.warmup;
    let total = warm + rate * args.duration.min(600);
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut tasks = tokio::task::JoinSet::new();
    let mut dropped = 0u64;
    let mut outcomes = Vec::new();
    let mut cpu_before = None;
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let mut measured_from = None;
    for i in 0..total {
        let scheduled = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        tokio::time::sleep_until(scheduled).await;
        if i == warm {
            measured_from = Some(Instant::now());
            cpu_before = args.server_pid.and_then(process_usage);
        }
        if in_flight.load(Ordering::Relaxed) >= args.max_in_flight {
            if i >= warm {
                dropped += 1;
            }
            continue;
        }
        let req = request(&mut rng, sample, scenario);
        let url = format!("{}{}", args.base, req.path);
        let key = sample.keys.get(req.org).cloned().unwrap_or_default();
        let client = client.clone();
        let in_flight = in_flight.clone();
        in_flight.fetch_add(1, Ordering::Relaxed);
        tasks.spawn(async move {
            let sent = tokio::time::Instant::now();
            let lag_us = (sent - scheduled).as_micros() as u64;
            let call = match &req.body {
                Some(body) => client.post(&url).json(body),
                None => client.get(&url),
            };
            let ok = match call.bearer_auth(key).send().await {
                Ok(res) => {
                    let status = res.status();
                    res.bytes().await.is_ok() && status.is_success()
                }
                Err(_) => false,
            };
            in_flight.fetch_sub(1, Ordering::Relaxed);
            (
                i >= warm,
                Outcome {
                    latency_us: sent.elapsed().as_micros() as u64,
                    lag_us,
                    ok,
                },
            )
        });
        // Reap finished requests as we go so the set stays small.
        while let Some(done) = tasks.try_join_next() {
            collect(done, &mut outcomes);
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(done)) = tokio::time::timeout_at(deadline, tasks.join_next()).await {
        collect(done, &mut outcomes);
    }
    tasks.abort_all();
    let elapsed = measured_from.map_or(0.0, |t| t.elapsed().as_secs_f64());
    Ok(report(
        scenario, args, &outcomes, dropped, elapsed, cpu_before,
    ))
}

/// Keeps the outcome of a measured (not warm-up) request.
fn collect(done: Result<(bool, Outcome), tokio::task::JoinError>, into: &mut Vec<Outcome>) {
    if let Ok((true, outcome)) = done {
        into.push(outcome);
    }
}

fn report(
    scenario: &str,
    args: &Args,
    outcomes: &[Outcome],
    dropped: u64,
    elapsed: f64,
    cpu_before: Option<(f64, f64)>,
) -> String {
    let ok: Vec<&Outcome> = outcomes.iter().filter(|o| o.ok).collect();
    let errors = outcomes.len() - ok.len();
    let mut lat: Vec<u64> = ok.iter().map(|o| o.latency_us).collect();
    lat.sort_unstable();
    let mut lag: Vec<u64> = outcomes.iter().map(|o| o.lag_us).collect();
    lag.sort_unstable();
    let throughput = if elapsed > 0.0 {
        ok.len() as f64 / elapsed
    } else {
        0.0
    };
    let cpu = match (cpu_before, args.server_pid.and_then(process_usage)) {
        (Some((before, _)), Some((after, rss))) if !ok.is_empty() => format!(
            "{:.0} | {:.0}",
            (after - before) * 1e6 / ok.len() as f64,
            rss
        ),
        _ => "– | –".to_string(),
    };
    format!(
        "| {scenario} | {} | {} | {errors} | {dropped} | {} | {} | {} | {} | {throughput:.0} | {} | {cpu} |",
        args.rate,
        ok.len(),
        ms(percentile(&lat, 50.0)),
        ms(percentile(&lat, 99.0)),
        ms(percentile(&lat, 99.9)),
        ms(lat.last().copied().unwrap_or(0)),
        ms(percentile(&lag, 99.0)),
    )
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if !is_loopback(&args.base) {
        bail!("--base must be a loopback address (127.0.0.1, localhost or [::1])");
    }
    let sample = Arc::new(load_sample(&args.sample)?);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.max_in_flight)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(5))
        .build()?;
    println!(
        "| operation | rate/s | ok | errors | dropped | p50 ms | p99 ms | p99.9 ms | max ms | req/s | driver lag p99 ms | server CPU µs/req | server peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for scenario in &args.scenarios {
        let scenario = scenario.trim();
        if !SCENARIOS.contains(&scenario) {
            bail!("unknown scenario {scenario:?}");
        }
        if (scenario == "board" || scenario == "stage_move") && sample.boards.is_empty() {
            bail!("{scenario} needs leads: the sample lists no boards (bench generate --leads N)");
        }
        let line = run(&args, &client, &sample, scenario).await?;
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:8080/"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(!is_loopback("http://10.0.0.1:8080"));
        assert!(!is_loopback("http://127.0.0.1.example.com"));
        assert!(!is_loopback("http://example.com"));
    }

    #[test]
    fn the_mix_keeps_its_shares() {
        for has_boards in [true, false] {
            let mut rng = StdRng::seed_from_u64(7);
            let mut counts = std::collections::HashMap::new();
            for _ in 0..100_000 {
                *counts
                    .entry(mixed_pick(&mut rng, has_boards))
                    .or_insert(0u32) += 1;
            }
            let percent = |names: &[&str]| {
                let n: u32 = names.iter().filter_map(|n| counts.get(n)).sum();
                f64::from(n) / 1000.0
            };
            let reads = percent(&["get_customer", "overview", "timeline", "caller_id"]);
            let writes = percent(&["create_customer", "stage_move"]);
            assert!((reads - 80.0).abs() < 1.0, "{reads}");
            assert!((writes - 15.0).abs() < 1.0, "{writes}");
            assert!((percent(&["search"]) - 5.0).abs() < 0.5);
            assert_eq!(counts.contains_key("stage_move"), has_boards);
        }
    }

    #[test]
    fn percentiles_pick_ranks() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 50.0), 500);
        assert_eq!(percentile(&v, 99.0), 990);
        assert_eq!(percentile(&v, 99.9), 999);
    }
}
