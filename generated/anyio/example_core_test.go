package anyio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// A task made with CreateTask has a typed result, a state and a cancel of
// its own: cancelling it is no failure of the group and cancels no sibling.
func ExampleCreateTask() {
	ctx := context.Background()
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		square := anyio.CreateTask(tg, func(ctx context.Context) (int, error) { return 7 * 7, nil })
		slow := anyio.CreateTask(tg, func(ctx context.Context) (string, error) {
			return "never", anyio.Sleep(ctx, time.Hour)
		})
		n, err := square.Wait(ctx)
		fmt.Println(n, err, square.State())
		slow.Cancel()
		_, err = slow.Wait(ctx)
		fmt.Println(errors.Is(err, context.Canceled), slow.State())
		return nil
	})
	fmt.Println(err)
	// Output:
	// 49 <nil> finished
	// true cancelled
	// <nil>
}

// CancelWithCause says why; context.Cause reports it on every context
// inside the scope, while Err stays context.Canceled.
func ExampleCancelScope_CancelWithCause() {
	errShutdown := errors.New("shutting down")
	scope := anyio.NewCancelScope()
	err := scope.Run(context.Background(), func(ctx context.Context) error {
		scope.CancelWithCause(errShutdown)
		err := anyio.Sleep(ctx, time.Hour)
		fmt.Println(err, "/", context.Cause(ctx))
		return err
	})
	fmt.Println(err, scope.CancelledCaught())
	// Output:
	// context canceled / shutting down
	// <nil> true
}

// Every task has an identity its ctx carries; the run's main task is 1.
func ExampleCurrentTask() {
	err := anyio.Run(func(ctx context.Context) error {
		fmt.Println("main:", anyio.CurrentTask(ctx).ID)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				me := anyio.CurrentTask(ctx)
				fmt.Printf("%s: task %d, parent %d\n", me.Name, me.ID, me.ParentID)
				return nil
			}, anyio.Name("worker"))
			return nil
		})
	})
	fmt.Println(err)
	// Output:
	// main: 1
	// worker: task 2, parent 1
	// <nil>
}

// WaitAllTasksBlocked returns once every other task waits: a test's way of
// saying "once everything has settled".
func ExampleWaitAllTasksBlocked() {
	err := anyio.Run(func(ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				msg, err := rx.Receive(ctx)
				fmt.Println("received", msg)
				return err
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			fmt.Println("the receiver is waiting:", rx.Statistics().TasksWaitingReceive)
			return tx.Send(ctx, "hello")
		})
	}, anyio.Backend(anyio.BackendSim))
	fmt.Println(err)
	// Output:
	// the receiver is waiting: 1
	// received hello
	// <nil>
}
