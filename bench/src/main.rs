//! `scc-seed DIR ACCOUNTS SHIPMENTS`: a SurrealKV database in DIR with the app's
//! schema and synthetic accounts, connections, shipments and shares (see
//! `db::seed`), then the query plans of the list pages. Every user's password is
//! `correct horse battery staple`.

use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, accounts, shipments] = args.as_slice() else {
        eprintln!("usage: scc-seed DIR ACCOUNTS SHIPMENTS");
        std::process::exit(2);
    };
    let parse = |s: &str| {
        s.parse::<usize>().unwrap_or_else(|_| {
            eprintln!("not a number: {s}");
            std::process::exit(2)
        })
    };
    let config = db::DbConfig {
        url: format!("surrealkv://{dir}"),
        namespace: "scc".into(),
        database: "main".into(),
        username: None,
        password: None,
    };
    let db = db::Db::connect(&config).await.unwrap_or_else(|e| {
        eprintln!("cannot open {dir}: {e}");
        std::process::exit(1)
    });
    let hash = match app::domain::Password::parse("correct horse battery staple") {
        Ok(password) => app::server::passwords::hash(password).await.ok(),
        Err(_) => None,
    };
    let Some(hash) = hash else {
        eprintln!("cannot hash the seeded users' password");
        std::process::exit(1)
    };
    let plan = db::seed::SeedPlan {
        accounts: parse(accounts),
        shipments: parse(shipments),
        password_hash: hash,
    };
    let started = Instant::now();
    let total = plan.shipments;
    db.seed(&plan, |n| {
        if n % 50_000 == 0 || n == total {
            eprintln!(
                "{n} shipments after {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    })
    .await
    .unwrap_or_else(|e| {
        eprintln!("seeding failed: {e}");
        std::process::exit(1)
    });
    println!(
        "seeded {} accounts and {} shipments in {:.1} s",
        plan.accounts,
        total,
        started.elapsed().as_secs_f64()
    );
    for (name, sql) in db::shipments::request_path_queries() {
        let account = if name.starts_with("supplier") {
            "supplier0"
        } else {
            "seller0"
        };
        match db
            .explain(
                &sql,
                &[
                    ("account", account),
                    ("id", "SEED00000000"),
                    ("limit", "50"),
                    ("start", "0"),
                ],
            )
            .await
        {
            Ok(plan) => println!("PLAN {name}: {}", summary(&plan)),
            Err(e) => println!("PLAN {name}: (explain failed: {e})"),
        }
    }
}

/// The access paths in a plan: each index scanned, and any table scanned whole.
fn summary(plan: &str) -> String {
    let grab = |key: &str| -> Vec<String> {
        plan.match_indices(key)
            .filter_map(|(i, _)| {
                let rest = &plan[i + key.len()..];
                rest.split('"').next().map(str::to_owned)
            })
            .collect()
    };
    let indexes = grab("\"index\": String(\"");
    let tables = grab("\"table\": String(\"");
    let mut parts: Vec<String> = indexes.iter().map(|i| format!("index {i}")).collect();
    if plan.contains("\"operator\": String(\"TableScan\")") {
        parts.push(format!("TABLE SCAN of {}", tables.join(", ")));
    }
    if parts.is_empty() {
        parts.push("direct record access".into());
    }
    parts.join("; ")
}
