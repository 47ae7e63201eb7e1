// Command server is the tiny app the Docker tests run in images built FROM
// scratch. It sleeps -pause, then prints "NAME=value" for each variable
// -print-env names (comma-separated), -stderr to stderr, -lines numbered
// lines, the bytes -raw spells (a Go string literal body, "\x00" and all),
// and a line of -long bytes (see longLine), then starts burning one CPU if
// -burn, sleeps -sleep and prints -after, exits with -exit when that is 0
// or more, and otherwise serves HTTP on $PORT (default 8080): "/" answers
// "hello", "/env?name=X" answers the value of $X.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	pause := flag.Duration("pause", 0, "sleep this long before printing anything")
	lines := flag.Int("lines", 0, "print this many numbered lines first")
	sleep := flag.Duration("sleep", 0, "sleep this long before going on")
	exit := flag.Int("exit", -1, "exit with this code instead of serving")
	printEnv := flag.String("print-env", "", "print NAME=value for these comma-separated variables first")
	stderr := flag.String("stderr", "", "print this line to stderr first")
	after := flag.String("after", "", "print this line after sleeping")
	raw := flag.String("raw", "", `print these bytes, written as the body of a Go string literal ("a\x00\n")`)
	long := flag.Int("long", 0, "print one line of this many bytes (and a newline)")
	burn := flag.Bool("burn", false, "keep one CPU busy")
	privs := flag.Bool("privileges", false, "print CapEff and whether a raw socket opens, first")
	alloc := flag.Int("alloc", 0, "allocate and touch this many MiB first")
	flag.String("token", "", "ignored; lets a test find its process")
	flag.Parse()
	time.Sleep(*pause)
	if *privs {
		printPrivileges()
	}
	allocate(*alloc)
	for _, name := range strings.Split(*printEnv, ",") {
		if name != "" {
			fmt.Printf("%s=%s\n", name, os.Getenv(name))
		}
	}
	if *stderr != "" {
		fmt.Fprintln(os.Stderr, *stderr)
	}
	for i := 1; i <= *lines; i++ {
		fmt.Printf("line %d\n", i)
	}
	printRaw(*raw)
	if *long > 0 {
		os.Stdout.Write(append(longLine(*long), '\n'))
	}
	if *burn {
		go burnCPU()
	}
	time.Sleep(*sleep)
	if *after != "" {
		fmt.Println(*after)
	}
	if *exit >= 0 {
		fmt.Printf("exiting with %d\n", *exit)
		os.Exit(*exit)
	}
	serve()
}

// printRaw writes the bytes the Go string literal body lit spells; a bad
// literal exits with 2.
func printRaw(lit string) {
	if lit == "" {
		return
	}
	b, err := strconv.Unquote(`"` + lit + `"`)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad -raw %q: %v\n", lit, err)
		os.Exit(2)
	}
	os.Stdout.WriteString(b)
}

// longLine is n bytes of the decimal counters "00000000,00000001,..." cut
// at n: tests rebuild it (dockertest.LongLine) to check the order of pieces.
func longLine(n int) []byte {
	b := make([]byte, 0, n+9)
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%08d,", i)
	}
	return b[:n]
}

// burnCPU spins forever.
func burnCPU() {
	for x := uint64(1); ; x = x*6364136223846793005 + 1 {
		_ = x
	}
}

func serve() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	})
	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getenv(r.URL.Query().Get("name")))
	})
	fmt.Printf("listening on :%s\n", port)
	fmt.Fprintln(os.Stderr, "ready on stderr")
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
