//! A real syslog server for the SIEM tests (`tests/it/siem.rs`, `tests/e2e/siem.rs`, each
//! including this file as a module): rsyslogd from the system's packages
//! (`scripts/setup.sh` installs rsyslog and rsyslog-gnutls), listening with TLS (its gtls
//! driver) or plain TCP on a free local port, with a CA and a server certificate made by
//! openssl, writing every message it receives raw, one a line, to `received.log`.

// Each test binary uses what it needs of this file.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// rsyslogd running as a child, stopped (and waited for) when dropped, also when a test
/// fails.
pub struct Rsyslog {
    child: Child,
}

impl Rsyslog {
    /// Starts rsyslogd on `port` with TLS, appending what it receives to `dir/received.log`.
    pub fn start(dir: &Path, port: u16) -> Rsyslog {
        Rsyslog::start_with(dir, port, true)
    }

    /// ... with TLS, or plain TCP.
    pub fn start_with(dir: &Path, port: u16, tls: bool) -> Rsyslog {
        let work = dir.join(format!("work-{port}"));
        std::fs::create_dir_all(&work).unwrap();
        let conf = dir.join(format!("rsyslog-{port}.conf"));
        let d = dir.display();
        let (driver, module) = if tls {
            (
                format!(
                    r#"defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="{d}/ca.pem"
  defaultNetstreamDriverCertFile="{d}/server.pem"
  defaultNetstreamDriverKeyFile="{d}/server.key""#
                ),
                r#"module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")"#,
            )
        } else {
            (String::new(), r#"module(load="imtcp")"#)
        };
        std::fs::write(
            &conf,
            format!(
                r#"global(workDirectory="{w}" maxMessageSize="64k" {driver})
{module}
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="siem") {{ action(type="omfile" file="{d}/received.log" template="raw") }}
input(type="imtcp" port="{port}" ruleset="siem")
"#,
                w = work.display()
            ),
        )
        .unwrap();
        let binary = ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("rsyslogd");
        let child = Command::new(binary)
            .arg("-n")
            .arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(dir.join(format!("rsyslogd-{port}.pid")))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("rsyslogd cannot be started ({e}): scripts/setup.sh installs rsyslog and rsyslog-gnutls")
            });
        let mut server = Rsyslog { child };
        // Waits for the real server to listen (it is another process, not a deadline).
        let until = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("rsyslogd exited ({status}) before listening: see {}", conf.display());
            }
            assert!(Instant::now() < until, "rsyslogd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for Rsyslog {
    /// SIGTERM, so it writes what it queued; SIGKILL if it does not stop.
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local port nobody listens on.
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0)).unwrap().local_addr().unwrap().port()
}

/// A CA, a server certificate for localhost and 127.0.0.1 signed by it, and another CA.
pub fn certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    for (name, cn) in [("ca", "Hospital Test CA"), ("other", "Someone Else's CA")] {
        let subj = format!("/CN={cn}");
        let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        args.extend(["-keyout", &key, "-out", &pem, "-days", "2", "-subj", &subj]);
        openssl(&args);
    }
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend(["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    openssl(&args);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
}
