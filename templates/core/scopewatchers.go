package core

// scopeWatchers is the list of functions to call when a scope is cancelled,
// kept in registration order so that a simulated run replays exactly.
type scopeWatchers struct {
	list []*scopeWatcher
	dead int // entries removed but not yet compacted away
}

type scopeWatcher struct {
	f       func()
	removed bool
}

func (ws *scopeWatchers) add(f func()) *scopeWatcher {
	w := &scopeWatcher{f: f}
	ws.list = append(ws.list, w)
	return w
}

// remove reports whether w was still waiting to be called.
func (ws *scopeWatchers) remove(w *scopeWatcher) bool {
	if w.removed {
		return false
	}
	w.removed = true
	ws.dead++
	if ws.dead > 16 && ws.dead > len(ws.list)/2 {
		live := ws.list[:0]
		for _, w := range ws.list {
			if !w.removed {
				live = append(live, w)
			}
		}
		clear(ws.list[len(live):])
		ws.list, ws.dead = live, 0
	}
	return true
}

// takeAll empties the list and returns the functions still registered.
func (ws *scopeWatchers) takeAll() []func() {
	var fs []func()
	for _, w := range ws.list {
		if !w.removed {
			w.removed = true
			fs = append(fs, w.f)
		}
	}
	ws.list, ws.dead = nil, 0
	return fs
}
