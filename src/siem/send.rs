//! The connection to the SIEM: TLS per RFC 5425 (rustls on ring), the server's certificate
//! verified against the CA the admin configured and the target's host name, an optional
//! client certificate for mutual TLS; or plain TCP for a lab when the admin said so.
//! Every step has a timeout, so a dead SIEM never hangs the caller. [`Link`] holds no
//! store and no app: it is built under the app's lock and used on any thread.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::{Target, invalid};
use crate::{Error, Result};

/// How long a connection may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one read or write may block.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the SIEM has to close its side after ours is closed (its close tells that it
/// read everything up to our close).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(3);

/// Where and how to connect to the SIEM.
#[derive(Clone)]
pub struct Link {
    /// The target's name, `host:port`.
    pub name: String,
    host: String,
    port: u16,
    /// TLS: the client's configuration and the name the server's certificate must carry.
    tls: Option<(Arc<ClientConfig>, ServerName<'static>)>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").field("name", &self.name).field("tls", &self.tls.is_some()).finish()
    }
}

impl Link {
    /// The link to `target`: its CA, client certificate and key read and checked. A
    /// problem names the part (never the key's content).
    pub fn of(target: &Target) -> Result<Link> {
        let tls = if target.plain_tcp {
            None
        } else {
            let name = ServerName::try_from(target.host.clone())
                .map_err(|_| invalid("SIEM host", "not a host name or IP address"))?;
            Some((Arc::new(client_config(target)?), name))
        };
        Ok(Link { name: target.name(), host: target.host.clone(), port: target.port, tls })
    }

    /// Sends `frames` in order over one connection, flushed, then closes it cleanly. An
    /// error names what failed; what was written before it may have arrived (the SIEM
    /// drops duplicates by hash).
    pub fn send(&self, frames: &[Vec<u8>]) -> Result<()> {
        let sock = self.connect()?;
        let broke = |e: std::io::Error| self.io_error(e);
        match &self.tls {
            None => {
                let mut sock = sock;
                for f in frames {
                    sock.write_all(f).map_err(broke)?;
                }
                sock.flush().map_err(broke)?;
                let _ = sock.shutdown(Shutdown::Write);
                drain(&mut sock);
            }
            Some((config, name)) => {
                let conn = ClientConnection::new(config.clone(), name.clone())
                    .map_err(|e| self.tls_error(&e))?;
                let mut tls = StreamOwned::new(conn, sock);
                while tls.conn.is_handshaking() {
                    tls.conn.complete_io(&mut tls.sock).map_err(broke)?;
                }
                for f in frames {
                    tls.write_all(f).map_err(broke)?;
                }
                tls.flush().map_err(broke)?;
                tls.conn.send_close_notify();
                while tls.conn.wants_write() {
                    tls.conn.write_tls(&mut tls.sock).map_err(broke)?;
                }
                tls.sock.flush().map_err(broke)?;
                let _ = tls.sock.shutdown(Shutdown::Write);
                drain(&mut tls.sock);
            }
        }
        Ok(())
    }

    fn connect(&self) -> Result<TcpStream> {
        let addrs = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| self.unreachable(format!("the host cannot be resolved: {e}")))?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(sock) => {
                    let set = sock
                        .set_read_timeout(Some(IO_TIMEOUT))
                        .and_then(|()| sock.set_write_timeout(Some(IO_TIMEOUT)));
                    set.map_err(|e| self.unreachable(e.to_string()))?;
                    return Ok(sock);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(self
            .unreachable(last.map_or_else(|| "the host has no address".into(), |e| e.to_string())))
    }

    fn unreachable(&self, reason: String) -> Error {
        Error::SiemUnreachable { target: self.name.clone(), reason }
    }

    /// A failed read or write: a TLS error inside (the handshake's), or the connection.
    fn io_error(&self, e: std::io::Error) -> Error {
        match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            Some(tls) => self.tls_error(tls),
            None => self.unreachable(format!("the connection failed: {e}")),
        }
    }

    fn tls_error(&self, e: &rustls::Error) -> Error {
        let target = self.name.clone();
        match e {
            rustls::Error::InvalidCertificate(why) => Error::SiemCertificate {
                target,
                reason: format!("{why:?} (checked against the CA file the admin set)"),
            },
            other => Error::SiemTls { target, reason: other.to_string() },
        }
    }
}

/// Reads until the server closes, or [`CLOSE_TIMEOUT`]: what it says is not used.
fn drain(sock: &mut TcpStream) {
    let _ = sock.set_read_timeout(Some(CLOSE_TIMEOUT));
    let mut buf = [0u8; 4096];
    while let Ok(n) = sock.read(&mut buf) {
        if n == 0 {
            break;
        }
    }
}

/// The CA certificates of a PEM text: at least one, each one a root rustls accepts.
pub fn roots(ca_pem: &str) -> Result<RootCertStore> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(ca_pem.as_bytes())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| invalid("CA file", format!("not a PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(invalid("CA file", "holds no PEM certificate (BEGIN CERTIFICATE)"));
    }
    let mut roots = RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|e| invalid("CA file", format!("a bad certificate: {e}")))?;
    }
    Ok(roots)
}

/// The client's TLS configuration: TLS 1.2 or 1.3 (ring's suites), the CA's roots, and
/// the client certificate when there is one.
fn client_config(target: &Target) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("TLS", e.to_string()))?
        .with_root_certificates(roots(&target.ca_pem)?);
    match (&target.client_cert_pem, &target.client_key_pem) {
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(cert), Some(key)) => {
            let chain: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(cert.as_bytes())
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|_| invalid("client certificate", "not a PEM certificate"))?;
            if chain.is_empty() {
                return Err(invalid("client certificate", "holds no PEM certificate"));
            }
            // The key's parse error is not shown: it could quote the key.
            let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                .map_err(|_| invalid("client key", "not a PEM private key (PKCS#8, RSA or EC)"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| invalid("client certificate", format!("cannot be used: {e}")))
        }
        _ => Err(invalid("client certificate", "give both the certificate and its key")),
    }
}
