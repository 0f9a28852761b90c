package check

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// KVInput is an operation of KVModel: Op is "get", "put" or "append".
type KVInput struct {
	Op         string
	Key, Value string
}

// KVOutput is what an operation of KVModel returned: the value a get read
// (put and append return nothing of interest).
type KVOutput struct {
	Value string
}

// KVModel is a key-value store: a register per key, with get (of the
// value, "" for a key never written), put (replace) and append (extend).
// It partitions a history by key, so a failure names one key's
// operations. An operation whose Output is nil never returned: a get of
// unknown result constrains nothing, a put or append may or may not have
// happened.
func KVModel() Model {
	return Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			var keys []string
			byKey := map[string][]porcupine.Operation{}
			for _, op := range history {
				k := op.Input.(KVInput).Key
				if _, ok := byKey[k]; !ok {
					keys = append(keys, k)
				}
				byKey[k] = append(byKey[k], op)
			}
			out := make([][]porcupine.Operation, len(keys))
			for i, k := range keys {
				out[i] = byKey[k]
			}
			return out
		},
		Init: func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			in, value := input.(KVInput), state.(string)
			switch in.Op {
			case "get":
				out, known := output.(KVOutput)
				return !known || out.Value == value, value
			case "put":
				return true, in.Value
			case "append":
				return true, value + in.Value
			}
			return false, value
		},
		Equal: func(a, b any) bool { return a == b },
		DescribeOperation: func(input, output any) string {
			in := input.(KVInput)
			switch in.Op {
			case "get":
				if out, ok := output.(KVOutput); ok {
					return fmt.Sprintf("get(%q) -> %q", in.Key, out.Value)
				}
				return fmt.Sprintf("get(%q) -> ?", in.Key)
			default:
				return fmt.Sprintf("%s(%q, %q)", in.Op, in.Key, in.Value)
			}
		},
		DescribeState: func(state any) string { return fmt.Sprintf("%q", state) },
	}
}
