// Command addonapp is the app of the add-on tests: it keeps rows in the
// Postgres of DATABASE_URL (through psql, which its image has) and a
// counter in the Redis of REDIS_URL (speaking RESP itself).
//
//	GET /      ok
//	GET /hit   inserts a row and increments the counter, then /state
//	GET /state "rows=N hits=M"
//	GET /rows  "rows=N" (Postgres only)
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "5000"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/hit", func(w http.ResponseWriter, r *http.Request) {
		if _, err := psql("CREATE TABLE IF NOT EXISTS hits (at timestamptz DEFAULT now()); INSERT INTO hits DEFAULT VALUES;"); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if _, err := redis("INCR", "hits"); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		state(w)
	})
	http.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		n, err := redis("INCR", "count")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "count=%s\n", n)
	})
	http.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) { state(w) })
	http.HandleFunc("/rows", func(w http.ResponseWriter, r *http.Request) {
		rows, err := psql("CREATE TABLE IF NOT EXISTS hits (at timestamptz DEFAULT now()); SELECT count(*) FROM hits;")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "rows=%s\n", rows)
	})
	fmt.Println("listening on", port)
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func state(w http.ResponseWriter) {
	rows, err := psql("CREATE TABLE IF NOT EXISTS hits (at timestamptz DEFAULT now()); SELECT count(*) FROM hits;")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	hits, err := redis("GET", "hits")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, "rows=%s hits=%s\n", strings.TrimSpace(rows), hits)
}

func psql(sql string) (string, error) {
	out, err := exec.Command("psql", os.Getenv("DATABASE_URL"), "-qtA", "-v", "ON_ERROR_STOP=1", "-c", sql).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql: %v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

// redis sends one command to REDIS_URL after AUTH and returns the reply
// ("0" for nil).
func redis(args ...string) (string, error) {
	u, err := url.Parse(os.Getenv("REDIS_URL"))
	if err != nil {
		return "", err
	}
	c, err := net.DialTimeout("tcp", u.Host, 3*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	rd := bufio.NewReader(c)
	pw, _ := u.User.Password()
	if _, err := command(c, rd, "AUTH", pw); err != nil {
		return "", err
	}
	return command(c, rd, args...)
}

func command(c net.Conn, rd *bufio.Reader, args ...string) (string, error) {
	fmt.Fprintf(c, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c, "$%d\r\n%s\r\n", len(a), a)
	}
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case '$':
		if line == "$-1" {
			return "0", nil
		}
		v, err := rd.ReadString('\n')
		return strings.TrimRight(v, "\r\n"), err
	}
	return line[1:], nil
}
