//! `iroh-ts-peer`: a test-only command line peer built on the real iroh 1.x crates.
//!
//! Every subcommand writes JSON objects to stdout, one per line. Diagnostics and
//! logs (controlled by `RUST_LOG`, default `warn`) go to stderr.

use std::{
    io::{BufRead, Write},
    net::SocketAddr,
    path::PathBuf,
    str::FromStr,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use iroh::{
    Endpoint, EndpointAddr, EndpointId, PublicKey, RelayMode, RelayUrl, SecretKey, Signature,
    TransportAddr, Watcher,
    address_lookup::{
        AddrFilter, DnsAddressLookup, EndpointInfo, PkarrPublisher, PkarrRelayClient, PkarrResolver,
    },
    dns::{DnsResolver, NameserverConfig},
    endpoint::{Connection, PathList, PortmapperConfig, VarInt, presets},
    tls::CaTlsConfig,
};
use iroh_tickets::{Ticket, endpoint::EndpointTicket};
use n0_future::StreamExt;
use serde_json::{Value, json};

mod dial_by_id;
mod qad_probe;
mod tls_opts;

#[derive(Parser, Debug)]
#[command(
    name = "iroh-ts-peer",
    about = "iroh 1.x test peer for iroh-ts interop tests"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Derive the public key (and optionally a signature) from a secret key.
    Keys {
        /// 32-byte secret key, hex.
        #[arg(long)]
        secret: String,
        /// Message to sign, hex.
        #[arg(long)]
        sign: Option<String>,
    },
    /// Verify an ed25519 signature made by an endpoint id.
    Verify {
        #[arg(long)]
        id: String,
        /// Message, hex.
        #[arg(long)]
        message: String,
        /// 64-byte signature, hex.
        #[arg(long)]
        signature: String,
    },
    /// Build an EndpointTicket from an endpoint id and addresses.
    TicketEncode {
        #[arg(long)]
        id: String,
        #[arg(long = "relay")]
        relays: Vec<String>,
        #[arg(long = "addr")]
        addrs: Vec<String>,
    },
    /// Parse an EndpointTicket (exit code 2 on failure).
    TicketDecode { ticket: String },
    /// Read requests as JSON lines from stdin, answer one JSON line each.
    ///
    /// Request shapes: {"cmd":"keys","secret":hex,"sign"?:hex},
    /// {"cmd":"verify","id":..,"message":hex,"signature":hex},
    /// {"cmd":"ticket-encode","id":..,"relays"?:[..],"addrs"?:[..]},
    /// {"cmd":"ticket-decode","ticket":..}.
    Batch,
    /// Bind an endpoint and echo bi streams and datagrams until told to stop.
    Serve(ServeArgs),
    /// Connect to an endpoint, send bytes over a bi stream and check the echo.
    Dial(DialArgs),
    /// Bind an endpoint whose PkarrPublisher publishes to --pkarr-url, wait until that pkarr
    /// relay serves the published info (home relay, and IPs with --pkarr-publish-ip), print it
    /// as a `published` event and exit.
    PkarrPublish(PkarrPublishArgs),
    /// Connect to an endpoint knowing only its id: iroh's DnsAddressLookup under --origin asks the
    /// nameserver --dns; no relays, no address hints. Echo --message on a bi stream, print a
    /// `result` event.
    DialById(dial_by_id::DialByIdArgs),
    /// QUIC address discovery with iroh-relay's own client (`iroh_relay::quic::QuicClient`) against
    /// --server, trusting only --ca-root; print a `result` event with the observed address.
    QadProbe(qad_probe::QadProbeArgs),
}

/// Endpoint options shared by `serve` and `dial`.
#[derive(Args, Debug, Clone)]
struct NetOpts {
    /// Secret key (hex). A random key is generated when absent.
    #[arg(long)]
    secret: Option<String>,
    /// Relay server URL for the endpoint's relay map (repeatable). No relays when absent.
    #[arg(long = "relay")]
    relays: Vec<String>,
    /// Bind exactly these socket addresses instead of iroh's default wildcard sockets.
    #[arg(long = "bind")]
    binds: Vec<SocketAddr>,
    /// Use no IP transports at all, only relays.
    #[arg(long)]
    relay_only: bool,
    /// Origin domain for DNS address lookup (adds a DnsAddressLookup).
    #[arg(long)]
    dns_origin: Option<String>,
    /// Nameserver (ip:port, UDP) used for all DNS lookups of this endpoint.
    #[arg(long)]
    dns_server: Option<SocketAddr>,
    /// Pkarr relay URL to publish this endpoint's info to (adds a PkarrPublisher).
    #[arg(long)]
    pkarr_url: Option<String>,
    /// Also publish direct IP addresses via pkarr (default: relay URL only, as iroh does).
    #[arg(long)]
    pkarr_publish_ip: bool,
    /// Also resolve peers via the pkarr relay at --pkarr-url (adds a PkarrResolver).
    #[arg(long)]
    pkarr_resolve: bool,
    /// Extra trusted root certificate(s) (PEM file) for relay / pkarr HTTPS (repeatable).
    #[arg(long = "ca-root")]
    ca_roots: Vec<PathBuf>,
    /// Do not verify relay / pkarr TLS certificates at all (tests only).
    #[arg(long)]
    insecure_skip_relay_cert_verify: bool,
    /// Keep iroh's portmapper (UPnP/PCP/NAT-PMP) enabled; it is disabled by default here.
    #[arg(long)]
    portmapper: bool,
    /// How long to wait for a home relay connection before reporting anyway.
    #[arg(long, default_value_t = 15_000)]
    online_timeout_ms: u64,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// ALPN to accept (repeatable, at least one).
    #[arg(long = "alpn", required = true)]
    alpns: Vec<String>,
    #[command(flatten)]
    net: NetOpts,
    /// Do not exit when stdin reaches EOF (only on SIGTERM/SIGINT).
    #[arg(long)]
    ignore_stdin: bool,
}

#[derive(Args, Debug)]
struct DialArgs {
    #[arg(long)]
    alpn: String,
    /// Ticket of the endpoint to dial.
    #[arg(long, conflicts_with = "id")]
    ticket: Option<String>,
    /// Endpoint id to dial (with --relay / --peer-relay / --addr as address hints).
    #[arg(long, required_unless_present = "ticket")]
    id: Option<String>,
    /// Direct address hint for the remote endpoint (repeatable; with --id).
    #[arg(long = "addr")]
    addrs: Vec<SocketAddr>,
    /// Relay URL hint for the remote only, not added to our relay map (repeatable; with --id).
    #[arg(long = "peer-relay")]
    peer_relays: Vec<String>,
    #[command(flatten)]
    net: NetOpts,
    /// Number of pseudo-random bytes to send; stdin is sent when absent.
    #[arg(long)]
    bytes: Option<usize>,
    /// Seed for the pseudo-random payload.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also send this datagram (hex) and wait for its echo.
    #[arg(long)]
    datagram: Option<String>,
    /// Keep the connection open this long after the echo, reporting path changes.
    #[arg(long, default_value_t = 0)]
    hold_ms: u64,
    /// Give up connecting after this long.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

#[derive(Args, Debug)]
struct PkarrPublishArgs {
    #[command(flatten)]
    net: NetOpts,
    /// Give up (exit 1 with an `error` event) when nothing matching was published by then.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();

    let cli = Cli::parse();
    let code = match cli.cmd {
        Cmd::Keys { secret, sign } => one_shot(keys(&secret, sign.as_deref())),
        Cmd::Verify {
            id,
            message,
            signature,
        } => one_shot(verify(&id, &message, &signature)),
        Cmd::TicketEncode { id, relays, addrs } => one_shot(ticket_encode(&id, &relays, &addrs)),
        Cmd::TicketDecode { ticket } => match ticket_decode(&ticket) {
            Ok(v) => {
                emit(&v);
                0
            }
            Err(err) => {
                emit(&json!({ "error": format!("{err:#}") }));
                2
            }
        },
        Cmd::Batch => batch(),
        Cmd::Serve(args) => run_async(serve(args)),
        Cmd::Dial(args) => run_async(dial(args)),
        Cmd::PkarrPublish(args) => run_async(pkarr_publish(args)),
        Cmd::DialById(args) => run_async(dial_by_id::run(args)),
        Cmd::QadProbe(args) => run_async(qad_probe::run(args)),
    };
    std::process::exit(code);
}

/// Connects with a deadline; on failure reports a `connect` error line, closes `ep` and returns `None`.
async fn connect_or_report(
    ep: &Endpoint,
    target: impl Into<EndpointAddr>,
    alpn: &[u8],
    timeout_ms: u64,
) -> Option<iroh::endpoint::Connection> {
    let error =
        match tokio::time::timeout(Duration::from_millis(timeout_ms), ep.connect(target, alpn))
            .await
        {
            Ok(Ok(conn)) => return Some(conn),
            Ok(Err(err)) => format!("{err:#}"),
            Err(_) => "timeout".to_string(),
        };
    emit(&json!({ "event": "error", "stage": "connect", "error": error }));
    ep.close().await;
    None
}

/// Writes one JSON object as a line to stdout and flushes.
fn emit(v: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

fn one_shot(res: Result<Value>) -> i32 {
    match res {
        Ok(v) => {
            emit(&v);
            0
        }
        Err(err) => {
            emit(&json!({ "error": format!("{err:#}") }));
            1
        }
    }
}

fn run_async(fut: impl std::future::Future<Output = Result<i32>>) -> i32 {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(fut) {
        Ok(code) => code,
        Err(err) => {
            emit(&json!({ "event": "error", "error": format!("{err:#}") }));
            1
        }
    }
}

// ---------------------------------------------------------------------------
// keys / signatures / tickets

fn parse_secret(s: &str) -> Result<SecretKey> {
    let bytes: [u8; 32] = hex::decode(s.trim())
        .context("secret is not hex")?
        .try_into()
        .map_err(|_| anyhow!("secret must be 32 bytes"))?;
    Ok(SecretKey::from_bytes(&bytes))
}

fn parse_id(s: &str) -> Result<EndpointId> {
    PublicKey::from_str(s.trim()).map_err(|e| anyhow!("invalid endpoint id {s:?}: {e}"))
}

fn parse_relay(s: &str) -> Result<RelayUrl> {
    RelayUrl::from_str(s).map_err(|e| anyhow!("invalid relay url {s:?}: {e}"))
}

fn keys(secret: &str, sign: Option<&str>) -> Result<Value> {
    let sk = parse_secret(secret)?;
    let pk = sk.public();
    let mut v = json!({
        "secret": hex::encode(sk.to_bytes()),
        "id": pk.to_string(),
        "short": pk.fmt_short().to_string(),
        "z32": pk.to_z32(),
    });
    if let Some(msg) = sign {
        let msg = hex::decode(msg.trim()).context("message is not hex")?;
        v["signature"] = Value::String(hex::encode(sk.sign(&msg).to_bytes()));
    }
    Ok(v)
}

fn verify(id: &str, message: &str, signature: &str) -> Result<Value> {
    let pk = parse_id(id)?;
    let msg = hex::decode(message.trim()).context("message is not hex")?;
    let sig: [u8; 64] = hex::decode(signature.trim())
        .context("signature is not hex")?
        .try_into()
        .map_err(|_| anyhow!("signature must be 64 bytes"))?;
    let sig = Signature::from_bytes(&sig);
    Ok(json!({ "ok": pk.verify(&msg, &sig).is_ok() }))
}

fn ticket_encode<S: AsRef<str>>(id: &str, relays: &[S], addrs: &[S]) -> Result<Value> {
    let mut addr = EndpointAddr::new(parse_id(id)?);
    for r in relays {
        addr = addr.with_relay_url(parse_relay(r.as_ref())?);
    }
    for a in addrs {
        let a = a.as_ref();
        let sock = SocketAddr::from_str(a).map_err(|e| anyhow!("invalid addr {a:?}: {e}"))?;
        addr = addr.with_ip_addr(sock);
    }
    Ok(json!({ "ticket": EndpointTicket::new(addr).to_string() }))
}

fn ticket_decode(ticket: &str) -> Result<Value> {
    let t = EndpointTicket::decode_string(ticket.trim()).map_err(|e| anyhow!("{e}"))?;
    let mut v = addr_json(t.endpoint_addr());
    v["reencoded"] = Value::String(t.to_string());
    Ok(v)
}

fn addr_json(addr: &EndpointAddr) -> Value {
    let relays: Vec<String> = addr.relay_urls().map(|u| u.to_string()).collect();
    let addrs: Vec<String> = addr.ip_addrs().map(|a| a.to_string()).collect();
    json!({ "id": addr.id.to_string(), "relays": relays, "addrs": addrs })
}

fn batch() -> i32 {
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let out = match serde_json::from_str::<Value>(&line) {
            Ok(req) => batch_one(&req).unwrap_or_else(|e| json!({ "error": format!("{e:#}") })),
            Err(e) => json!({ "error": format!("invalid request: {e}") }),
        };
        emit(&out);
    }
    0
}

fn batch_one(req: &Value) -> Result<Value> {
    let field = |name: &str| -> Result<&str> {
        req.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("missing string field {name:?}"))
    };
    let list = |name: &str| -> Vec<String> {
        req.get(name)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    match field("cmd")? {
        "keys" => keys(field("secret")?, req.get("sign").and_then(Value::as_str)),
        "verify" => verify(field("id")?, field("message")?, field("signature")?),
        "ticket-encode" => ticket_encode(field("id")?, &list("relays"), &list("addrs")),
        "ticket-decode" => ticket_decode(field("ticket")?),
        other => bail!("unknown cmd {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// endpoints

async fn build_endpoint(net: &NetOpts, alpns: Vec<Vec<u8>>) -> Result<Endpoint> {
    let mut b = Endpoint::builder(presets::Minimal).alpns(alpns);
    if let Some(secret) = &net.secret {
        b = b.secret_key(parse_secret(secret)?);
    }
    if !net.portmapper {
        b = b.portmapper_config(PortmapperConfig::Disabled);
    }
    if !net.relays.is_empty() {
        let urls = net
            .relays
            .iter()
            .map(|r| parse_relay(r))
            .collect::<Result<Vec<_>>>()?;
        b = b.relay_mode(RelayMode::custom(urls));
    }
    if net.relay_only {
        if net.relays.is_empty() {
            bail!("--relay-only needs at least one --relay");
        }
        b = b.clear_ip_transports();
    } else if !net.binds.is_empty() {
        b = b.clear_ip_transports();
        for addr in &net.binds {
            b = b
                .bind_addr(*addr)
                .map_err(|e| anyhow!("bind {addr}: {e}"))?;
        }
    }
    if net.insecure_skip_relay_cert_verify {
        b = b.ca_tls_config(tls_opts::insecure_ca_tls_config());
    } else if !net.ca_roots.is_empty() {
        let mut roots = Vec::new();
        for path in &net.ca_roots {
            roots.extend(tls_opts::read_pem_certs(path)?);
        }
        b = b.ca_tls_config(CaTlsConfig::embedded().with_extra_roots(roots));
    }
    if let Some(server) = net.dns_server {
        let resolver = DnsResolver::builder()
            .add_nameserver_config(NameserverConfig::udp(server.ip()).with_port(server.port()))
            .disable_fallback()
            .build();
        b = b.dns_resolver(resolver);
    }
    if let Some(origin) = &net.dns_origin {
        b = b.address_lookup(DnsAddressLookup::builder(origin.clone()));
    }
    if let Some(pkarr) = &net.pkarr_url {
        let url = url::Url::parse(pkarr).with_context(|| format!("invalid pkarr url {pkarr:?}"))?;
        let mut publisher = PkarrPublisher::builder(url.clone());
        if net.pkarr_publish_ip {
            publisher = publisher.addr_filter(AddrFilter::unfiltered());
        }
        b = b.address_lookup(publisher);
        if net.pkarr_resolve {
            b = b.address_lookup(PkarrResolver::builder(url));
        }
    } else if net.pkarr_resolve {
        bail!("--pkarr-resolve needs --pkarr-url");
    }
    let ep = b.bind().await.map_err(|e| anyhow!("bind failed: {e:#}"))?;

    // Wait until the endpoint knows enough about itself to be dialable.
    let deadline = Duration::from_millis(net.online_timeout_ms);
    if !net.relays.is_empty() {
        let _ = tokio::time::timeout(deadline, ep.online()).await;
    }
    if !net.relay_only {
        let mut w = ep.watch_addr();
        let _ = tokio::time::timeout(deadline.min(Duration::from_secs(5)), async {
            loop {
                if w.get().ip_addrs().next().is_some() {
                    break;
                }
                if w.updated().await.is_err() {
                    break;
                }
            }
        })
        .await;
    }
    Ok(ep)
}

fn home_relays(ep: &Endpoint) -> Vec<Value> {
    ep.home_relay_status()
        .get()
        .iter()
        .map(|s| json!({ "url": s.url().to_string(), "connected": s.is_connected() }))
        .collect()
}

fn path_entries(list: &PathList<'_>) -> Vec<Value> {
    list.iter()
        .map(|p| {
            let remote = match p.remote_addr() {
                TransportAddr::Ip(a) => a.to_string(),
                TransportAddr::Relay(u) => u.to_string(),
                other => other.to_string(),
            };
            json!({
                "remote_addr": remote,
                "is_ip": p.is_ip(),
                "is_relay": p.is_relay(),
                "selected": p.is_selected(),
                "rtt_ms": p.rtt().as_secs_f64() * 1000.0,
            })
        })
        .collect()
}

/// The part of a path snapshot that counts as a change (everything but the rtt).
fn path_key(entries: &[Value]) -> Vec<(String, bool)> {
    entries
        .iter()
        .map(|e| {
            (
                e["remote_addr"].as_str().unwrap_or_default().to_string(),
                e["selected"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

/// Prints a `paths` event for every change of the connection's path set or selection.
async fn report_paths(conn: Connection) {
    let remote = conn.remote_id().to_string();
    let mut stream = conn.paths_stream();
    let mut last = None;
    while let Some(list) = stream.next().await {
        let entries = path_entries(&list);
        let key = path_key(&entries);
        if last.as_ref() != Some(&key) {
            emit(&json!({ "event": "paths", "remote": remote, "paths": entries }));
            last = Some(key);
        }
    }
}

/// Resolves when SIGTERM, SIGINT or (unless disabled) stdin EOF arrives.
async fn shutdown_signal(watch_stdin: bool) -> &'static str {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    if watch_stdin {
        // A plain thread: tokio's stdin cannot be cancelled and would stall runtime shutdown.
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            let mut stdin = std::io::stdin().lock();
            loop {
                match std::io::Read::read(&mut stdin, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            let _ = tx.send(());
        });
    } else {
        // Dropping the sender disables the stdin branch below.
        drop(tx);
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
        Ok(()) = rx => "stdin-eof",
    }
}

async fn serve(args: ServeArgs) -> Result<i32> {
    let alpns: Vec<Vec<u8>> = args.alpns.iter().map(|a| a.as_bytes().to_vec()).collect();
    let ep = build_endpoint(&args.net, alpns).await?;
    let addr = ep.addr();
    emit(&json!({
        "event": "ready",
        "id": ep.id().to_string(),
        "addr": addr_json(&addr),
        "ticket": EndpointTicket::new(addr).to_string(),
        "bound": ep.bound_sockets().iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "home_relays": home_relays(&ep),
    }));

    let shutdown = shutdown_signal(!args.ignore_stdin);
    tokio::pin!(shutdown);
    let reason = loop {
        tokio::select! {
            reason = &mut shutdown => break reason,
            incoming = ep.accept() => match incoming {
                Some(incoming) => { tokio::spawn(handle_incoming(incoming)); }
                None => break "endpoint-closed",
            },
        }
    };
    emit(&json!({ "event": "shutdown", "reason": reason }));
    ep.close().await;
    emit(&json!({ "event": "closed" }));
    Ok(0)
}

async fn handle_incoming(incoming: iroh::endpoint::Incoming) {
    let conn = match incoming.await {
        Ok(conn) => conn,
        Err(err) => {
            emit(&json!({ "event": "accept-error", "error": format!("{err:#}") }));
            return;
        }
    };
    let remote = conn.remote_id().to_string();
    emit(&json!({
        "event": "accepted",
        "remote": remote,
        "alpn": String::from_utf8_lossy(conn.alpn()),
    }));
    tokio::spawn(report_paths(conn.clone()));
    let dgram_conn = conn.clone();
    tokio::spawn(async move {
        while let Ok(d) = dgram_conn.read_datagram().await {
            if let Err(err) = dgram_conn.send_datagram(d) {
                emit(&json!({ "event": "datagram-error", "error": format!("{err:#}") }));
            }
        }
    });
    loop {
        match conn.accept_bi().await {
            Ok((mut send, mut recv)) => {
                let remote = remote.clone();
                tokio::spawn(async move {
                    let res: Result<usize> = async {
                        let data = recv.read_to_end(usize::MAX).await?;
                        send.write_all(&data).await?;
                        send.finish()?;
                        let _ = send.stopped().await;
                        Ok(data.len())
                    }
                    .await;
                    match res {
                        Ok(n) => emit(&json!({ "event": "stream", "remote": remote, "bytes": n })),
                        Err(err) => emit(&json!({
                            "event": "stream-error", "remote": remote, "error": format!("{err:#}"),
                        })),
                    }
                });
            }
            Err(err) => {
                emit(&json!({
                    "event": "connection-closed",
                    "remote": remote,
                    "reason": format!("{err}"),
                }));
                break;
            }
        }
    }
}

/// Deterministic pseudo-random payload (splitmix64), so both sides can recompute it.
fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn dial(args: DialArgs) -> Result<i32> {
    let target = match (&args.ticket, &args.id) {
        (Some(t), _) => EndpointTicket::decode_string(t.trim())
            .map_err(|e| anyhow!("invalid ticket: {e}"))?
            .endpoint_addr()
            .clone(),
        (None, Some(id)) => {
            let mut addr = EndpointAddr::new(parse_id(id)?);
            for r in args.net.relays.iter().chain(args.peer_relays.iter()) {
                addr = addr.with_relay_url(parse_relay(r)?);
            }
            for a in &args.addrs {
                addr = addr.with_ip_addr(*a);
            }
            addr
        }
        (None, None) => bail!("need --ticket or --id"),
    };
    let data = match args.bytes {
        Some(n) => payload(n, args.seed),
        None => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("read stdin")?;
            buf
        }
    };

    let ep = build_endpoint(&args.net, Vec::new()).await?;
    let started = Instant::now();
    let Some(conn) = connect_or_report(&ep, target, args.alpn.as_bytes(), args.timeout_ms).await
    else {
        return Ok(1);
    };
    emit(&json!({
        "event": "connected",
        "id": ep.id().to_string(),
        "remote": conn.remote_id().to_string(),
        "alpn": String::from_utf8_lossy(conn.alpn()),
        "ms": started.elapsed().as_secs_f64() * 1000.0,
    }));

    let echo_started = Instant::now();
    let echoed: Result<Vec<u8>> = async {
        let (mut send, mut recv) = conn.open_bi().await?;
        let writer = async {
            send.write_all(&data).await?;
            send.finish()?;
            anyhow::Ok(())
        };
        let reader = async { anyhow::Ok(recv.read_to_end(usize::MAX).await?) };
        let ((), echoed) = tokio::try_join!(writer, reader)?;
        Ok(echoed)
    }
    .await;
    let mut ok = match echoed {
        Ok(echoed) => {
            let ok = echoed == data;
            emit(&json!({
                "event": "echo",
                "ok": ok,
                "bytes": data.len(),
                "echoed_bytes": echoed.len(),
                "blake3": blake3::hash(&echoed).to_hex().to_string(),
                "ms": echo_started.elapsed().as_secs_f64() * 1000.0,
            }));
            ok
        }
        Err(err) => {
            emit(&json!({ "event": "error", "stage": "echo", "error": format!("{err:#}") }));
            false
        }
    };

    if let Some(dgram) = &args.datagram {
        let dgram = hex::decode(dgram.trim()).context("datagram is not hex")?;
        let mut received = None;
        // Datagrams are unreliable: retry a few times.
        for _ in 0..5 {
            if let Err(err) = conn.send_datagram(dgram.clone().into()) {
                emit(
                    &json!({ "event": "error", "stage": "datagram", "error": format!("{err:#}") }),
                );
                break;
            }
            match tokio::time::timeout(Duration::from_secs(1), conn.read_datagram()).await {
                Ok(Ok(d)) => {
                    received = Some(d.to_vec());
                    break;
                }
                Ok(Err(_)) => break,
                Err(_) => continue,
            }
        }
        let dgram_ok = received.as_deref() == Some(dgram.as_slice());
        ok &= dgram_ok;
        emit(&json!({
            "event": "datagram",
            "ok": dgram_ok,
            "sent": hex::encode(&dgram),
            "received": received.map(hex::encode),
        }));
    }

    if args.hold_ms > 0 {
        let _ = tokio::time::timeout(
            Duration::from_millis(args.hold_ms),
            report_paths(conn.clone()),
        )
        .await;
    } else {
        let entries = path_entries(&conn.paths());
        emit(&json!({
            "event": "paths",
            "remote": conn.remote_id().to_string(),
            "paths": entries,
        }));
    }

    conn.close(VarInt::from_u32(0), b"done");
    ep.close().await;
    emit(&json!({ "event": "closed", "ok": ok }));
    Ok(if ok { 0 } else { 1 })
}

// ---------------------------------------------------------------------------
// pkarr publishing

/// What the endpoint is expected to have published: its home relay URL(s), plus its direct
/// addresses when IPs are published too. Sorted, for comparison.
fn expected_publish(ep: &Endpoint, with_ips: bool) -> (Vec<String>, Vec<String>) {
    let addr = ep.addr();
    let mut relays: Vec<String> = addr.relay_urls().map(|u| u.to_string()).collect();
    let mut ips: Vec<String> = if with_ips {
        addr.ip_addrs().map(|a| a.to_string()).collect()
    } else {
        Vec::new()
    };
    relays.sort();
    ips.sort();
    (relays, ips)
}

async fn pkarr_publish(args: PkarrPublishArgs) -> Result<i32> {
    let Some(pkarr) = &args.net.pkarr_url else {
        bail!("pkarr-publish needs --pkarr-url");
    };
    if args.net.relays.is_empty() && !args.net.pkarr_publish_ip {
        bail!("pkarr-publish needs --relay (or --pkarr-publish-ip): nothing would be published");
    }
    let url = url::Url::parse(pkarr).with_context(|| format!("invalid pkarr url {pkarr:?}"))?;
    let started = Instant::now();
    let deadline = started + Duration::from_millis(args.timeout_ms);
    // The endpoint's own PkarrPublisher (added by build_endpoint for --pkarr-url) publishes
    // whenever its home relay or addresses change; we only watch the pkarr relay for the result.
    let ep = build_endpoint(&args.net, Vec::new()).await?;
    let dns = ep
        .dns_resolver()
        .map_err(|e| anyhow!("endpoint has no DNS resolver: {e}"))?
        .clone();
    let client = PkarrRelayClient::new(url, ep.tls_config().clone(), dns);
    let mut last_seen = Value::Null;
    loop {
        let (relays, ips) = expected_publish(&ep, args.net.pkarr_publish_ip);
        if let Ok(packet) = client.resolve(ep.id()).await {
            let info = EndpointInfo::from_pkarr_signed_packet(&packet)
                .map_err(|e| anyhow!("the pkarr relay served an unparsable packet: {e}"))?;
            let mut got_relays: Vec<String> = info.relay_urls().map(|u| u.to_string()).collect();
            let mut got_ips: Vec<String> = info.ip_addrs().map(|a| a.to_string()).collect();
            got_relays.sort();
            got_ips.sort();
            let complete = !(relays.is_empty() && ips.is_empty())
                && relays.iter().all(|r| got_relays.contains(r))
                && ips.iter().all(|a| got_ips.contains(a));
            if complete {
                emit(&json!({
                    "event": "published",
                    "id": ep.id().to_string(),
                    "z32": ep.id().to_z32(),
                    "relays": got_relays,
                    "addrs": got_ips,
                    "timestamp_us": packet.timestamp().as_micros(),
                    "payload": hex::encode(packet.to_relay_payload()),
                    "ms": started.elapsed().as_secs_f64() * 1000.0,
                }));
                break;
            }
            last_seen = json!({ "relays": got_relays, "addrs": got_ips });
        }
        if Instant::now() >= deadline {
            emit(&json!({
                "event": "error",
                "stage": "publish",
                "error": "timeout",
                "expected": { "relays": relays, "addrs": ips },
                "last_seen": last_seen,
                "home_relays": home_relays(&ep),
            }));
            ep.close().await;
            return Ok(1);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ep.close().await;
    Ok(0)
}
