package dotest

import (
	"crypto/x509"
	"os"
)

// rootCAs is what the sockets' TLS trusts: the test's certificates, or the
// system's with those of NODE_EXTRA_CA_CERTS, as wrangler dev gives
// workerd (miniflare reads the file, and passes its certificates on).
func rootCAs(pool *x509.CertPool) *x509.CertPool {
	if pool != nil {
		return pool
	}
	file := os.Getenv("NODE_EXTRA_CA_CERTS")
	if file == "" {
		return nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil // as miniflare ignores a file it cannot read
	}
	sys, err := x509.SystemCertPool()
	if err != nil {
		sys = x509.NewCertPool()
	}
	sys.AppendCertsFromPEM(pem)
	return sys
}
