package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Storage is how a replica keeps its items on its host's disk.
type Storage int

const (
	// NoSync appends each item to the data file and never syncs: the page
	// cache acknowledges, and a crash forgets.
	NoSync Storage = iota
	// NoDirSync syncs the data file after each item, and writes its
	// compactions to a new file that it syncs and renames over the old
	// one, but never syncs the directory: a crash after a compaction finds
	// the old name still pointing at the old file, without the items added
	// since.
	NoDirSync
	// Durable does the same and syncs the directory after each rename:
	// every acknowledged item survives a crash.
	Durable
)

// Storages are the kinds of replica, by the name the -storage flag takes.
var Storages = map[string]Storage{"nosync": NoSync, "nodirsync": NoDirSync, "durable": Durable}

func (s Storage) String() string {
	for name, v := range Storages {
		if v == s {
			return name
		}
	}
	return "Storage(" + strconv.Itoa(int(s)) + ")"
}

// compactEvery is how many items a replica appends before it rewrites its
// data file whole.
const compactEvery = 8

// store is a replica's items on its disk: the data file under dir holds
// one item a line. A lock keeps an append from slipping between a
// compaction's copy and its rename.
type store struct {
	mode     Storage
	dir      string
	lock     *anyio.Lock
	items    []int
	appended int // since the last compaction
}

func (s *store) file() string { return path.Join(s.dir, "items") }

// open reads what the disk kept, after a boot or a crash. At the first
// boot it makes the directory and an empty data file, durably unless the
// replica never syncs (the installer's work, done right).
func openStore(ctx context.Context, mode Storage, dir string) (*store, error) {
	s := &store{mode: mode, dir: dir, lock: anyio.NewLock()}
	data, err := anyio.ReadFile(ctx, s.file())
	if errors.Is(err, fs.ErrNotExist) {
		return s, s.install(ctx)
	}
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, err := strconv.Atoi(line); err == nil {
			s.items = append(s.items, k)
		}
	}
	return s, nil
}

func (s *store) install(ctx context.Context) error {
	if err := anyio.MkdirAll(ctx, s.dir, 0o755); err != nil {
		return err
	}
	if err := anyio.WriteFile(ctx, s.file(), nil, 0o644); err != nil {
		return err
	}
	if s.mode == NoSync {
		return nil
	}
	if err := anyio.SyncDir(ctx, s.dir); err != nil {
		return err
	}
	return anyio.SyncDir(ctx, path.Dir(s.dir))
}

// add stores k: on the disk as the mode does it, then in memory. The
// replica acknowledges k once add returns.
func (s *store) add(ctx context.Context, k int) error {
	if err := s.lock.Acquire(ctx); err != nil {
		return err
	}
	defer s.lock.Release()
	if err := s.write(ctx, s.file(), os.O_APPEND, fmt.Sprintln(k)); err != nil {
		return err
	}
	s.items = append(s.items, k)
	if s.appended++; s.appended == compactEvery {
		s.appended = 0
		return s.compact(ctx)
	}
	return nil
}

// compact rewrites the data file whole: a new file, synced (unless the
// mode never syncs), renamed over the old one, and, by a Durable replica
// only, the directory synced.
func (s *store) compact(ctx context.Context) error {
	var all strings.Builder
	for _, k := range s.items {
		fmt.Fprintln(&all, k)
	}
	tmp := s.file() + ".tmp"
	if err := s.write(ctx, tmp, os.O_TRUNC, all.String()); err != nil {
		return err
	}
	if err := anyio.Rename(ctx, tmp, s.file()); err != nil {
		return err
	}
	if s.mode == Durable {
		return anyio.SyncDir(ctx, s.dir)
	}
	return nil
}

// write writes data to name, opened with flag as well as O_WRONLY and
// O_CREATE, and syncs it unless the mode never syncs.
func (s *store) write(ctx context.Context, name string, flag int, data string) error {
	f, err := anyio.OpenFile(ctx, name, os.O_WRONLY|os.O_CREATE|flag, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(ctx, []byte(data)); err != nil {
		return err
	}
	if s.mode == NoSync {
		return nil
	}
	return f.Sync(ctx)
}

// all is every item the replica has.
func (s *store) all() []int {
	return append([]int(nil), s.items...)
}
