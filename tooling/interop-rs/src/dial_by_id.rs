//! `dial-by-id`: a real iroh endpoint that knows nothing of the remote but its EndpointId. Its only
//! address lookup is iroh's `DnsAddressLookup` under `--origin`, asking the nameserver `--dns` (UDP)
//! and nothing else (no system resolver, no public fallback); relays are disabled and no address
//! hints are given. It connects, sends `--message` on a bi stream, reads the echo, prints one
//! `result` line and exits 0 when the echo matched, 1 otherwise (an `error` line when connecting
//! failed).

use std::{net::SocketAddr, time::Instant};

use anyhow::{Result, anyhow};
use clap::Args;
use iroh::{
    Endpoint,
    address_lookup::DnsAddressLookup,
    dns::{DnsResolver, NameserverConfig},
    endpoint::{PortmapperConfig, VarInt, presets},
};
use serde_json::json;

use super::{emit, parse_id, path_entries};

#[derive(Args, Debug)]
pub struct DialByIdArgs {
    /// EndpointId of the remote (hex).
    endpoint_id: String,
    /// The DNS server to ask (ip:port, UDP), e.g. iroh-ts-dns-server.
    #[arg(long)]
    dns: SocketAddr,
    /// Origin domain the remote's `_iroh.<z32>.<origin>` TXT records live under.
    #[arg(long)]
    origin: String,
    /// ALPN to connect with.
    #[arg(long)]
    alpn: String,
    /// Sent on a bi stream; the remote must echo it.
    #[arg(long, default_value = "hello from iroh")]
    message: String,
    /// Our UDP socket.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// Give up connecting after this long.
    #[arg(long, default_value_t = 20_000)]
    timeout_ms: u64,
}

pub async fn run(args: DialByIdArgs) -> Result<i32> {
    let remote = parse_id(&args.endpoint_id)?;
    let resolver = DnsResolver::builder()
        .add_nameserver_config(NameserverConfig::udp(args.dns.ip()).with_port(args.dns.port()))
        .disable_fallback()
        .build();
    let ep = Endpoint::builder(presets::Minimal)
        .portmapper_config(PortmapperConfig::Disabled)
        .clear_ip_transports()
        .bind_addr(args.bind)
        .map_err(|e| anyhow!("bind {}: {e}", args.bind))?
        .address_lookup(DnsAddressLookup::builder(args.origin.clone()).dns_resolver(resolver))
        .bind()
        .await
        .map_err(|e| anyhow!("bind failed: {e:#}"))?;

    let started = Instant::now();
    // An EndpointId converts into an EndpointAddr without any address: iroh must look it up.
    let Some(conn) =
        super::connect_or_report(&ep, remote, args.alpn.as_bytes(), args.timeout_ms).await
    else {
        return Ok(1);
    };
    let connect_ms = started.elapsed().as_secs_f64() * 1000.0;

    let echoed: Result<Vec<u8>> = async {
        let (mut send, mut recv) = conn.open_bi().await?;
        send.write_all(args.message.as_bytes()).await?;
        send.finish()?;
        Ok(recv.read_to_end(64 * 1024).await?)
    }
    .await;
    let (ok, echo, error) = match echoed {
        Ok(bytes) => (
            bytes == args.message.as_bytes(),
            Some(String::from_utf8_lossy(&bytes).into_owned()),
            None,
        ),
        Err(err) => (false, None, Some(format!("{err:#}"))),
    };
    emit(&json!({
        "event": "result",
        "ok": ok,
        "id": ep.id().to_string(),
        "remote": conn.remote_id().to_string(),
        "alpn": String::from_utf8_lossy(conn.alpn()),
        "sent": args.message,
        "echo": echo,
        "error": error,
        "paths": path_entries(&conn.paths()),
        "connect_ms": connect_ms,
    }));
    conn.close(VarInt::from_u32(0), b"done");
    ep.close().await;
    Ok(if ok { 0 } else { 1 })
}
