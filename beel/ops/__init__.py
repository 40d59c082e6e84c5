"""What operators run the service with: health and readiness probes, Prometheus metrics, deploy checks,
and the statement-timeout exemption of `migrate`."""
