// Package grpchealth runs gRPC, a library with goroutines of its own (a
// transport's reader, its writer loop, a server's stream handlers), on the
// package's sockets: its tests serve gRPC's health service over
// TCPListener.NetListener and call it through a client dialling with
// DialContext, on std over loopback and on sim, where the run adopts
// gRPC's goroutines and partitions reach them.
//
// It is a module of its own, so that gRPC's dependencies stay out of the
// repository's build; CI runs its tests beside the README's command.
package grpchealth
