package dashboard

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
)

// pageSize is how many rows a long list shows per page, so that no page
// grows past the size limit however many users, tokens or variables there
// are.
const pageSize = 100

// pager is the position in a long list and the links to move in it.
type pager struct {
	Page, Pages int
	Prev, Next  string
	// Beyond is the page asked for when the list has fewer pages: the
	// last page is shown instead, and the pager says so.
	Beyond int
}

// pageParam is the page ?page= asks for, 0 when it names none.
func pageParam(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// paginate returns the rows of items on page n (the first when n is 0,
// the last when n is past the end) and the links to the pages around it,
// at base.
func paginate[T any](items []T, n int, base string) ([]T, pager) {
	pages := max(1, (len(items)+pageSize-1)/pageSize)
	p := pager{Pages: pages}
	if n > pages {
		p.Beyond = n
	}
	n = min(max(n, 1), pages)
	p.Page = n
	if n > 1 {
		p.Prev = pageURL(base, n-1)
	}
	if n < pages {
		p.Next = pageURL(base, n+1)
	}
	return items[(n-1)*pageSize : min(len(items), n*pageSize)], p
}

// pageURL is base with ?page=n.
func pageURL(base string, n int) string {
	return base + "?" + url.Values{"page": {strconv.Itoa(n)}}.Encode()
}
