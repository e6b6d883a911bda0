//! What the service benches share: the real server on a loopback port.

use cleanclaim_billing::Engine;
use cleanclaim_store::Store;

/// A server answering on `base` until [`Served::stop`].
pub struct Served {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Serves `store` with the built-in rule packs and no background workers.
pub async fn serve_on_loopback(store: &Store) -> Served {
    let state =
        cleanclaim_server::AppState::new(store.clone(), Engine::builtin().unwrap()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cleanclaim_server::serve(
        listener,
        state,
        cleanclaim_server::ServeOptions {
            workers: 0,
            ..Default::default()
        },
        async {
            let _ = stopped.await;
        },
    ));
    Served { base, stop, server }
}

impl Served {
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.server.await.unwrap().unwrap();
    }
}
