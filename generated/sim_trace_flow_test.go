package generated

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// The trace draws an arrow (a flow) from each TCP send to the read that
// takes its first byte: it starts on the sending task's track and ends on
// the reading task's, later.
func TestTraceFlowsGoFromASendToItsReceive(t *testing.T) {
	var trace bytes.Buffer
	err := simRun(t, func(ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				_, err = s.Receive(ctx, 64)
				return err
			}, anyio.Name("receiver"))
			s, err := anyio.ConnectTCP(ctx, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Send(ctx, []byte("ping"))
		})
	}, anyio.Trace(&trace))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name, Ph string
			Tid      int64
			Ts       float64
			ID       uint64
			Args     map[string]any
		}
	}
	if err := json.Unmarshal(trace.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, e := range doc.TraceEvents {
		if e.Ph == "M" && e.Name == "thread_name" {
			names[e.Tid], _ = e.Args["name"].(string)
		}
	}
	var starts, ends int
	for _, s := range doc.TraceEvents {
		if s.Ph != "s" {
			continue
		}
		starts++
		for _, f := range doc.TraceEvents {
			if f.Ph == "f" && f.ID == s.ID {
				ends++
				if names[s.Tid] != `"main" (task 1)` || names[f.Tid] != `"receiver" (task 2)` || f.Ts < s.Ts || f.Name != s.Name {
					t.Errorf("the arrow %q goes from %s at %v to %s at %v (%q); want from main to the receiver, later", s.Name, names[s.Tid], s.Ts, names[f.Tid], f.Ts, f.Name)
				}
			}
		}
	}
	if starts != 1 || ends != 1 {
		t.Fatalf("%d arrows start and %d end, want one send and its read", starts, ends)
	}
}

// The same for a UDP datagram: from the SendTo to the Receive that got it.
func TestTraceFlowsGoFromADatagramToItsReceive(t *testing.T) {
	var trace bytes.Buffer
	err := simRun(t, func(ctx context.Context) error {
		a, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer b.Close()
		if err := a.SendTo(ctx, []byte("ping"), b.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
			return err
		}
		_, _, err = b.Receive(ctx)
		return err
	}, anyio.Trace(&trace))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name, Ph string
			ID       uint64
		}
	}
	if err := json.Unmarshal(trace.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var starts, ends []string
	for _, e := range doc.TraceEvents {
		switch e.Ph {
		case "s":
			starts = append(starts, e.Name)
		case "f":
			ends = append(ends, e.Name)
		}
	}
	if len(starts) != 1 || len(ends) != 1 || starts[0] != ends[0] || !strings.HasPrefix(starts[0], "udp ") {
		t.Fatalf("arrows start %q and end %q; want one udp arrow", starts, ends)
	}
}
