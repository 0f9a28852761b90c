package check_test

import (
	"fmt"
	"os"
	"time"

	"github.com/anyiogen/anyiogen/check"
)

// Two clients of a key-value store: the second reads, after the first's
// put returned, the value from before it. No order of the operations
// explains that, so the history is not linearizable.
func ExampleLinearizable() {
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	history := []check.Operation{
		{Client: 0, Input: check.KVInput{Op: "put", Key: "x", Value: "1"}, Output: check.KVOutput{}, Call: ms(0), Return: ms(10)},
		{Client: 1, Input: check.KVInput{Op: "get", Key: "x"}, Output: check.KVOutput{Value: ""}, Call: ms(20), Return: ms(30)},
	}
	res := check.Linearizable(history, check.KVModel())
	defer os.Remove(res.Visualization)
	fmt.Println(res.OK)
	fmt.Println(res.Part())
	// Output:
	// false
	// 2 operations
	// 	client 0: put("x", "1") (called at 0s, returned at 10ms)
	// 	client 1: get("x") -> "" (called at 20ms, returned at 30ms)
}
