// Command logpump is the app the log benchmarks deploy
// (e2e/bench_logs_test.go). It is built as a static binary and copied into
// a FROM scratch image.
//
// It listens on $PORT and answers:
//
//	GET /                                  "ok" (the health check)
//	GET /pump?run=R&n=N&rate=L&size=S      starts printing N lines to stdout and answers at once
//
// The lines are "pump R SEQ NANOS xxx..." (S x's): SEQ counts from 1 and
// NANOS is the Unix time in nanoseconds taken just before the line is
// written. Each line is one write to stdout, as an app that logs line by
// line does. L lines per second are printed, spread over each
// millisecond; L=0 prints them as fast as stdout takes them.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("/pump", startPump)
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}

// startPump reads the query and prints in the background.
func startPump(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, err1 := strconv.Atoi(q.Get("n"))
	rate, err2 := strconv.Atoi(q.Get("rate"))
	size, err3 := strconv.Atoi(q.Get("size"))
	run := q.Get("run")
	if err1 != nil || err2 != nil || err3 != nil || n < 1 || rate < 0 || size < 0 || run == "" {
		http.Error(w, "want run, n >= 1, rate >= 0 and size >= 0", http.StatusBadRequest)
		return
	}
	go pump(run, n, rate, strings.Repeat("x", size))
	fmt.Fprintf(w, "pumping %d lines", n)
}

// pump prints n lines at rate lines per second (0: no limit).
func pump(run string, n, rate int, pad string) {
	prefix := []byte("pump " + run + " ")
	buf := make([]byte, 0, len(prefix)+len(pad)+48)
	start := time.Now()
	for seq := 1; seq <= n; {
		due := n
		if rate > 0 {
			due = min(int(time.Since(start)*time.Duration(rate)/time.Second)+1, n)
		}
		for ; seq <= due; seq++ {
			buf = append(buf[:0], prefix...)
			buf = strconv.AppendInt(buf, int64(seq), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, time.Now().UnixNano(), 10)
			buf = append(buf, ' ')
			buf = append(append(buf, pad...), '\n')
			if _, err := os.Stdout.Write(buf); err != nil {
				return
			}
		}
		if seq <= n {
			time.Sleep(time.Millisecond)
		}
	}
}
