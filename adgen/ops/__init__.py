"""Operations: worker heartbeats, /healthz, Prometheus metrics, the artifact store's wiring."""
