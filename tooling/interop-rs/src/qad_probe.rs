//! `qad-probe`: QUIC address discovery with iroh-relay's own client, `iroh_relay::quic::QuicClient`
//! (the one iroh's net report uses), against a QAD server such as our relay app's. It trusts only the
//! given roots, connects from `--bind`, waits for the first OBSERVED_ADDRESS report, closes with
//! iroh's code 1 "finished" and prints one `result` line (`observed`, `local`, `server`, `ms` to the first report); an `error`
//! line and exit code 1 when it fails.

use std::{
    net::SocketAddr,
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow};
use clap::Args;
use iroh::tls::CaTlsConfig;
use iroh_relay::quic::{QUIC_ADDR_DISC_CLOSE_CODE, QUIC_ADDR_DISC_CLOSE_REASON, QuicClient};
use n0_future::StreamExt;
use serde_json::json;

use super::{emit, tls_opts::read_pem_certs};

#[derive(Args, Debug)]
pub struct QadProbeArgs {
    /// The QAD server (ip:port).
    #[arg(long)]
    server: SocketAddr,
    /// The name the server's certificate must be valid for.
    #[arg(long, default_value = "localhost")]
    host: String,
    /// Trusted root certificate(s) (PEM file; repeatable). Nothing else is trusted.
    #[arg(long = "ca-root", required = true)]
    ca_roots: Vec<PathBuf>,
    /// Our UDP socket.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// Give up after this long.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
}

pub async fn run(args: QadProbeArgs) -> Result<i32> {
    let mut roots = Vec::new();
    for path in &args.ca_roots {
        roots.extend(read_pem_certs(path)?);
    }
    let tls = CaTlsConfig::custom_roots(roots)
        .client_config(iroh::tls::default_provider())
        .context("rustls client config")?;
    let ep = noq::Endpoint::client(args.bind).with_context(|| format!("bind {}", args.bind))?;
    let local = ep.local_addr().context("local addr")?;
    let client = QuicClient::new(ep.clone(), tls);
    let started = Instant::now();
    let limit = Duration::from_millis(args.timeout_ms);

    let probed: Result<(SocketAddr, f64, noq::Connection)> = tokio::time::timeout(limit, async {
        let conn = client
            .create_conn(args.server, &args.host)
            .await
            .map_err(|e| anyhow!("connect: {e:#}"))?;
        let addr = conn
            .observed_external_addr()
            .next()
            .await
            .ok_or_else(|| anyhow!("the connection closed before any report"))?;
        Ok((addr, started.elapsed().as_secs_f64() * 1000.0, conn))
    })
    .await
    .unwrap_or_else(|_| Err(anyhow!("timeout after {} ms", args.timeout_ms)));

    let code = match probed {
        Ok((addr, ms, conn)) => {
            // As iroh: an IPv4 client of a dual-stack server may be reported as ::ffff:a.b.c.d.
            let observed = SocketAddr::new(addr.ip().to_canonical(), addr.port());
            emit(&json!({
                "event": "result",
                "observed": observed.to_string(),
                "local": local.to_string(),
                "server": args.server.to_string(),
                "ms": ms,
            }));
            conn.close(QUIC_ADDR_DISC_CLOSE_CODE, QUIC_ADDR_DISC_CLOSE_REASON);
            0
        }
        Err(err) => {
            emit(&json!({ "event": "error", "stage": "qad", "error": format!("{err:#}") }));
            1
        }
    };
    // Let the close reach the server.
    let _ = tokio::time::timeout(Duration::from_secs(2), ep.wait_idle()).await;
    Ok(code)
}
