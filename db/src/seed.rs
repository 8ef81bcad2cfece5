//! Synthetic data for benchmarks (`bench/`): accounts, users, connections, shipments,
//! shares and events in bulk, straight into the database. Built only with the `seed`
//! feature; the app never links it.
//!
//! Shape: half the accounts are sellers, half suppliers; every seller is connected to
//! five suppliers; shipments are spread over the sellers, four in five shared with
//! one of the seller's suppliers, each with two timeline events. Seller 0 and supplier 0
//! are the benchmark's users (`seller0@seed.example`, `supplier0@seed.example`): seller
//! 0 owns at least 200 shipments, supplier 0 is sent at least 200.

use crate::{check, Db, DbError};

pub struct SeedPlan {
    pub accounts: usize,
    pub shipments: usize,
    /// An Argon2id hash every seeded user gets (hashing each would take hours).
    pub password_hash: String,
}

const BATCH: usize = 1000;

fn seller(i: usize) -> String {
    format!("seller{i}")
}

fn supplier(i: usize) -> String {
    format!("supplier{i}")
}

impl Db {
    /// Fills an empty database according to `plan`; `progress` hears how many
    /// shipments are in so far.
    pub async fn seed(&self, plan: &SeedPlan, progress: impl Fn(usize)) -> Result<(), DbError> {
        let sellers = (plan.accounts / 2).max(1);
        let suppliers = (plan.accounts - sellers).max(5);
        let mut sql = String::new();
        let mut rows = 0;
        let flush = |sql: &mut String, rows: &mut usize, force: bool| {
            let ready = force || *rows >= BATCH;
            let out = if ready && !sql.is_empty() {
                Some(std::mem::take(sql))
            } else {
                None
            };
            if ready {
                *rows = 0;
            }
            out
        };
        // Accounts and their administrators.
        for (kind, count, key) in [
            ("seller", sellers, seller as fn(usize) -> String),
            ("supplier", suppliers, supplier),
        ] {
            for i in 0..count {
                let k = key(i);
                sql.push_str(&format!(
                    "CREATE account:{k} SET kind = '{kind}', company_name = '{kind} company {i}', created_at = time::now();
                     CREATE user:`{k}@seed.example` SET account = account:{k}, name = 'User {i}',
                         email = '{k}@seed.example', password_hash = $hash, is_admin = true, lang = 'en',
                         email_verified_at = time::now(), created_at = time::now();"
                ));
                rows += 1;
                if let Some(batch) = flush(&mut sql, &mut rows, false) {
                    self.run_seed(&batch, &plan.password_hash).await?;
                }
            }
        }
        // Each seller connected to five suppliers.
        for s in 0..sellers {
            for j in 0..5 {
                let p = supplier((s * 5 + j) % suppliers);
                let k = seller(s);
                sql.push_str(&format!(
                    "RELATE account:{k}->connected->account:{p} SET id = connected:['{k}', '{p}'], since = time::now();"
                ));
                rows += 1;
                if let Some(batch) = flush(&mut sql, &mut rows, false) {
                    self.run_seed(&batch, &plan.password_hash).await?;
                }
            }
        }
        // Shipments: seller 0 and supplier 0 get their 200 first, the rest round robin.
        for n in 0..plan.shipments {
            let s = if n < 200 { 0 } else { n % sellers };
            let shared_to = if n < 200 {
                Some(0)
            } else if n % 5 != 0 {
                Some((s * 5 + n % 5) % suppliers)
            } else {
                None
            };
            let (k, id) = (seller(s), format!("SEED{n:08}"));
            let status = if shared_to.is_some() {
                "packing"
            } else {
                "draft"
            };
            let supplier_field = shared_to
                .map(|p| format!("account:{}", supplier(p)))
                .unwrap_or_else(|| "NONE".into());
            sql.push_str(&format!(
                "CREATE shipment:{id} SET seller = account:{k}, name = 'Shipment {n}',
                     ship_from = {{ name: 'Warehouse', line1: '1 Road', line2: '', city: 'Shenzhen',
                         region: '', postal_code: '518000', country: 'CN', phone: '' }},
                     destination = 'PHX7',
                     items = [{{ sku: 'SKU-{a}', name: 'Item', quantity: 12, prep_by: 'seller' }},
                              {{ sku: 'SKU-{b}', name: 'Item', quantity: 30, prep_by: 'supplier' }}],
                     units = 42, supplier = {supplier_field},
                     status = '{status}', version = 1, created_at = time::now(), updated_at = time::now();
                 CREATE shipment_event SET shipment = shipment:{id}, shipment_key = '{id}',
                     seller_key = '{k}', supplier_key = NONE, action = 'created', actor_name = 'User',
                     actor_company = 'Seller', detail = '', at = time::now();",
                a = n % 97,
                b = n % 89 + 100,
            ));
            if let Some(p) = shared_to {
                let p = supplier(p);
                sql.push_str(&format!(
                    "RELATE shipment:{id}->shared_with->account:{p} SET id = shared_with:{id},
                         since = time::now(), message = '';
                     CREATE shipment_event SET shipment = shipment:{id}, shipment_key = '{id}',
                         seller_key = '{k}', supplier_key = '{p}', action = 'shared', actor_name = 'User',
                         actor_company = 'Seller', detail = '', at = time::now();"
                ));
            }
            rows += 1;
            if let Some(batch) = flush(&mut sql, &mut rows, false) {
                self.run_seed(&batch, &plan.password_hash).await?;
                progress(n + 1);
            }
        }
        if let Some(batch) = flush(&mut sql, &mut rows, true) {
            self.run_seed(&batch, &plan.password_hash).await?;
        }
        progress(plan.shipments);
        Ok(())
    }

    async fn run_seed(&self, batch: &str, hash: &str) -> Result<(), DbError> {
        check(
            self.conn
                .query(format!("BEGIN TRANSACTION; {batch} COMMIT TRANSACTION;"))
                .bind(("hash", hash.to_owned()))
                .await,
        )?;
        Ok(())
    }

    /// The query plan SurrealDB chooses for a request-path query, for the benchmark
    /// report (`EXPLAIN`).
    pub async fn explain(&self, sql: &str, bindings: &[(&str, &str)]) -> Result<String, DbError> {
        let mut query = self.conn.query(format!("{sql} EXPLAIN"));
        for (k, v) in bindings {
            query = query.bind((k.to_string(), v.to_string()));
        }
        let mut response = check(query.await)?;
        let last = response.num_statements().saturating_sub(1);
        let value: surrealdb::types::Value = response.take(last)?;
        Ok(format!("{value:?}"))
    }
}
