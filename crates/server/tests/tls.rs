#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly by design"
)]
//! With a certificate, the service speaks HTTPS (rustls) and nothing else: a client that
//! trusts the certificate gets its answers; a plain-HTTP request gets none.

use std::sync::Arc;

use cleanclaim_billing::Engine;
use cleanclaim_store::Store;
use cleanclaim_test_support::TestDatabase;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_certificate_the_service_speaks_https_only() {
    let database = TestDatabase::sqlite();
    let store = Store::connect(database.url()).await.unwrap();
    let state =
        cleanclaim_server::AppState::new(store.clone(), Engine::builtin().unwrap()).unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cleanclaim_server::serve_tls(
        listener,
        state,
        cleanclaim_server::ServeOptions::default(),
        async {
            let _ = stopped.await;
        },
        cert_pem.clone().into_bytes(),
        key_pem.into_bytes(),
    ));

    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut answer = String::new();
    for _ in 0..50 {
        let Ok(tcp) = tokio::net::TcpStream::connect(address).await else {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        };
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = connector.connect(name, tcp).await.unwrap();
        tls.write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        tls.read_to_string(&mut answer).await.unwrap_or_default();
        break;
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"ok\""), "{answer}");

    // Plain HTTP on the same port is not served.
    let mut plain = tokio::net::TcpStream::connect(address).await.unwrap();
    plain
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let _ = plain.read_to_end(&mut bytes).await;
    assert!(!String::from_utf8_lossy(&bytes).contains("\"status\":\"ok\""));

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    store.close().await;
}
