package anyiotest_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// HTTP/2 without TLS (h2c, with prior knowledge): net/http's HTTP/2 server
// and client, whose frames are read and written by goroutines of their
// own, on sim. Three requests share one connection.
func TestHTTP2ClearTextOnSim(t *testing.T) {
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 8080)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: protoHandler(), Protocols: new(http.Protocols)}
		srv.Protocols.SetUnencryptedHTTP2(true)
		tr := &http.Transport{DialContext: anyio.DialContext(ctx), Protocols: new(http.Protocols)}
		tr.Protocols.SetUnencryptedHTTP2(true)
		return serveAndGet(ctx, srv, func(ctx context.Context) error { return srv.Serve(ln.NetListener(ctx)) }, tr, "http://127.0.0.1:8080", "HTTP/2.0")
	})
}

// HTTP/2 over TLS: crypto/tls's handshake and net/http's HTTP/2, on sim.
// The certificate is Ed25519's, whose signatures have one length, so the
// bytes on the wire, and the run, are the same on every run of a seed.
func TestHTTP2OverTLSOnSim(t *testing.T) {
	server, client := ed25519TLS(t)
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 8443)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: protoHandler(), TLSConfig: server.Clone()}
		tr := &http.Transport{DialContext: anyio.DialContext(ctx), TLSClientConfig: client.Clone(), ForceAttemptHTTP2: true}
		return serveAndGet(ctx, srv, func(ctx context.Context) error { return srv.ServeTLS(ln.NetListener(ctx), "", "") }, tr, "https://127.0.0.1:8443", "HTTP/2.0")
	})
}

// protoHandler answers with the request's protocol and path.
func protoHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
	})
}

// serveAndGet runs serve in a task, sends three requests to base through
// tr, checks that each went over proto (protoHandler answers), and shuts
// the server down.
func serveAndGet(ctx context.Context, srv *http.Server, serve func(ctx context.Context) error, tr *http.Transport, base, proto string) error {
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			if err := serve(ctx); err != http.ErrServerClosed {
				return err
			}
			return nil
		}, anyio.Name("server"))
		client := &http.Client{Transport: tr}
		for _, path := range []string{"/a", "/b", "/c"} {
			if err := httpGet(client, base+path, proto+" "+path); err != nil {
				return err
			}
		}
		tr.CloseIdleConnections()
		// Once every task is blocked, the server's connection is idle and
		// Shutdown closes it at once. Called earlier, Shutdown would poll,
		// every millisecond plus a jitter from the global math/rand: the
		// run would no longer follow the seed alone.
		if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
			return err
		}
		return srv.Shutdown(ctx)
	})
}

// ed25519TLS makes a self-signed Ed25519 certificate for 127.0.0.1 and
// returns a server config holding it and a client config trusting it. It
// is valid from before the simulator's clock, which starts in 2000.
func ed25519TLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "anyiotest"},
		NotBefore:             time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
}
