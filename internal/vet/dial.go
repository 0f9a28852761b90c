package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
)

// Dial reports the OS network.
var Dial = named("dial", "net.Dial, net.Listen, http.Get and kin inside a run use the OS network; suggests ConnectTCP, ListenTCP")

// The net and net/http functions and methods that use the OS network.
var (
	netDials    = []string{"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Listen", "ListenTCP", "ListenUDP", "ListenPacket", "ListenIP", "ListenUnix", "ListenUnixgram", "ListenMulticastUDP", "LookupHost", "LookupIP", "LookupAddr"}
	netMethods  = []string{"Dial", "DialContext", "Listen", "ListenPacket", "LookupHost", "LookupIP", "LookupAddr"}
	httpFuncs   = []string{"Get", "Post", "Head", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"}
	httpMethods = []string{"Do", "Get", "Post", "Head", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"}
)

func (w *walker) checkDial(call *ast.CallExpr, fn *types.Func) bool {
	path, name, recv := fn.Pkg().Path(), fn.Name(), fn.Signature().Recv()
	switch {
	case recvIs(recv, "Client") && path == "net/http" && w.dialsThroughPackage(call):
		return true // a client whose transport dials with the package's ConnectTCP
	case recvIs(recv, "Server") && path == "net/http" && (name == "Serve" || name == "ServeTLS") && len(call.Args) > 0 && w.callsPackage(call.Args[0]):
		return true // a server on the package's listener (its NetListener)
	case path == "net" && (recv == nil && slices.Contains(netDials, name) || recvIs(recv, "Dialer", "ListenConfig", "Resolver") && slices.Contains(netMethods, name)),
		path == "net/http" && (recv == nil && slices.Contains(httpFuncs, name) || recvIs(recv, "Client", "Server") && slices.Contains(httpMethods, name)):
		w.add("dial", call, fmt.Sprintf("%s.%s %s uses the OS network, which the simulator cannot see; use %s.ConnectTCP, %s.ListenTCP or %s.LookupHost (and a stream's NetConn where a net.Conn is wanted)", fn.Pkg().Name(), name, regionInsideRun, w.gen(), w.gen(), w.gen()))
		return true
	}
	return false
}
