package ui

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

// bodies names, for each route, the JSON it takes and the JSON it answers
// (nil: none). Streaming routes answer NDJSON api.StreamEvents when asked
// with Accept: application/x-ndjson.
var bodies = map[string][2]any{
	"GET /status":                            {nil, api.Status{}},
	"POST /gc":                               {nil, engine.GCReport{}},
	"GET /cluster":                           {nil, api.Cluster{}},
	"POST /cluster":                          {api.ClusterInit{}, api.Cluster{}},
	"DELETE /cluster":                        {nil, api.ClusterChange{}},
	"GET /cluster/join-command":              {nil, api.JoinCommand{}},
	"POST /cluster/join-command/rotate":      {nil, api.JoinCommand{}},
	"GET /cluster/nodes":                     {nil, api.ClusterNodeList{}},
	"POST /cluster/nodes/:node/drain":        {nil, api.ClusterChange{}},
	"POST /cluster/nodes/:node/activate":     {nil, api.ClusterChange{}},
	"GET /apps/:app/placement":               {nil, api.Placement{}},
	"PUT /apps/:app/placement":               {api.Placement{}, api.Placement{}},
	"GET /openapi.json":                      {nil, nil},
	"POST /login":                            {api.Login{}, api.LoginResult{}},
	"POST /setup-password":                   {api.SetupPassword{}, nil},
	"GET /apps/:app/members":                 {nil, api.MemberList{}},
	"PUT /apps/:app/members/:email":          {nil, api.MemberList{}},
	"DELETE /apps/:app/members/:email":       {nil, api.MemberList{}},
	"GET /me":                                {nil, api.Me{}},
	"GET /apps":                              {nil, api.AppList{}},
	"POST /apps":                             {api.CreateApp{}, api.App{}},
	"GET /apps/:app":                         {nil, api.App{}},
	"PATCH /apps/:app":                       {api.UpdateApp{}, api.App{}},
	"DELETE /apps/:app":                      {nil, nil},
	"GET /apps/:app/releases":                {nil, api.ReleaseList{}},
	"GET /apps/:app/releases/:number/output": {nil, api.ReleaseOutput{}},
	"GET /apps/:app/events":                  {nil, api.EventList{}},
	"GET /apps/:app/logs":                    {nil, api.LogList{}},
	"GET /apps/:app/logs/ws":                 {nil, api.LogEvent{}},
	"GET /apps/:app/metrics":                 {nil, api.Metrics{}},
	"GET /apps/:app/config":                  {nil, api.Config{}},
	"PATCH /apps/:app/config":                {api.ConfigChange{}, api.Release{}},
	"POST /apps/:app/rollback":               {api.Rollback{}, api.Release{}},
	"POST /apps/:app/redeploy":               {nil, api.Release{}},
	"POST /apps/:app/restart":                {api.Restart{}, nil},
	"POST /apps/:app/promote":                {api.Promote{}, api.Release{}},
	"GET /apps/:app/ps":                      {nil, api.ProcessList{}},
	"POST /apps/:app/scale":                  {api.ScaleChange{}, api.App{}},
	"PATCH /apps/:app/limits":                {api.LimitsChange{}, api.Limits{}},
	"POST /apps/:app/run":                    {api.Run{}, api.StreamEvent{}},
	"GET /apps/:app/cron":                    {nil, api.CronJobList{}},
	"POST /apps/:app/cron":                   {api.AddCronJob{}, api.CronJob{}},
	"PATCH /apps/:app/cron/:job":             {api.ChangeCronJob{}, api.CronJob{}},
	"DELETE /apps/:app/cron/:job":            {nil, nil},
	"POST /apps/:app/cron/:job/run":          {nil, api.CronRun{}},
	"GET /apps/:app/cron-runs":               {nil, api.CronRunList{}},
	"DELETE /apps/:app/build-cache":          {nil, nil},
	"GET /apps/:app/domains":                 {nil, api.DomainList{}},
	"POST /apps/:app/domains":                {api.AddDomain{}, api.Domain{}},
	"DELETE /apps/:app/domains/:host":        {nil, nil},
	"PATCH /apps/:app/edge":                  {api.EdgeChange{}, api.App{}},
	"PUT /apps/:app/basic-auth":              {api.BasicAuth{}, api.App{}},
	"DELETE /apps/:app/basic-auth":           {nil, api.App{}},
	"GET /apps/:app/alerts":                  {nil, api.WebhookList{}},
	"PUT /apps/:app/alerts":                  {api.WebhookList{}, api.WebhookList{}},
	"POST /apps/:app/alerts/test":            {api.Webhook{}, api.WebhookTestResult{}},
	"POST /alerts/test":                      {api.Webhook{}, api.WebhookTestResult{}},
	"GET /alerts":                            {nil, api.WebhookList{}},
	"PUT /alerts":                            {api.WebhookList{}, api.WebhookList{}},
	"GET /ca/root.pem":                       {nil, nil},
	"GET /previews":                          {nil, api.PreviewList{}},
	"GET /apps/:app/previews":                {nil, api.PreviewList{}},
	"PUT /apps/:app/previews":                {api.EnablePreviews{}, api.PreviewsEnabled{}},
	"DELETE /apps/:app/previews":             {nil, nil},
	"DELETE /apps/:app/previews/:branch":     {nil, nil},
	"GET /keys":                              {nil, api.KeyList{}},
	"POST /keys":                             {api.AddKey{}, api.Key{}},
	"DELETE /keys/:name":                     {nil, nil},
	"GET /users":                             {nil, api.UserList{}},
	"POST /users":                            {api.AddUser{}, api.SetupLink{}},
	"PATCH /users/:email":                    {api.ChangeUser{}, api.User{}},
	"DELETE /users/:email":                   {nil, nil},
	"POST /users/:email/setup-link":          {nil, api.SetupLink{}},
	"GET /tokens":                            {nil, api.TokenList{}},
	"POST /tokens":                           {api.CreateToken{}, api.CreatedToken{}},
	"DELETE /tokens/:id":                     {nil, nil},
	"GET /audit":                             {nil, api.AuditPage{}},
	"GET /insights":                          {nil, engine.TeamInsights{}},
	"GET /apps/:app/insights":                {nil, engine.TeamInsights{}},
	"GET /catalog":                           {nil, api.CatalogList{}},
	"GET /apps/:app/catalog":                 {nil, engine.CatalogEntry{}},
	"PATCH /apps/:app/catalog":               {api.CatalogChange{}, engine.CatalogEntry{}},
}

// openAPI answers the API's OpenAPI 3.1 description, made from the route
// table and the wire types, so it cannot drift from what is served. The
// document is made once per Server, at the first request.
func (s *Server) openAPI(c echo.Context) error {
	return c.JSON(http.StatusOK, s.openAPIDoc())
}

// openAPIOnce returns a function that makes the description of s's routes
// at its first call and returns the same document afterwards.
func (s *Server) openAPIOnce() func() map[string]any {
	return sync.OnceValue(func() map[string]any { return openAPIFor(s.cfg.Version, s.routes) })
}

// OpenAPI describes the API.
func OpenAPI(version string) map[string]any { return openAPIFor(version, apiRoutes) }

func openAPIFor(version string, routes []route) map[string]any {
	g := &schemaGen{schemas: map[string]any{}}
	g.ref(reflect.TypeOf(api.Error{}))
	paths := map[string]map[string]any{}
	for _, r := range routes {
		p := openAPIPath(APIPrefix + r.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.method)] = g.operation(r)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Quayside API", "version": version,
			"description": "Errors answer {code, message, fields}: 400 bad input (fields name the culprits), 401 without a valid token or session, 403 for a role that may not, 404 for what does not exist or cannot be seen."},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "An API token (qs_...): `quayside tokens create`"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "quayside_session", "description": "The dashboard's session; changes need the X-CSRF-Token header"},
			},
		},
		"security": []any{map[string]any{"token": []any{}}, map[string]any{"session": []any{}}},
	}
}

// openAPIPath turns echo's ":name" parameters into "{name}".
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func (g *schemaGen) operation(r route) map[string]any {
	op := map[string]any{"summary": r.summary, "x-quayside-rule": string(r.rule)}
	if r.rule == Public {
		op["security"] = []any{}
	}
	var params []any
	for _, s := range strings.Split(r.path, "/") {
		if strings.HasPrefix(s, ":") {
			params = append(params, map[string]any{"name": s[1:], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	if params != nil {
		op["parameters"] = params
	}
	io := bodies[r.method+" "+r.path]
	if io[0] != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(io[0]))}}}
	}
	ok := map[string]any{"description": "Success"}
	if io[1] != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(io[1]))}}
	}
	errResp := map[string]any{"description": "An error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	op["responses"] = map[string]any{"2XX": ok, "default": errResp}
	return op
}

// schemaGen turns Go wire types into JSON Schemas, once per named type.
type schemaGen struct {
	schemas map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

// ref returns a schema for t: a reference for named structs.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct:
		if _, ok := g.schemas[t.Name()]; !ok {
			g.schemas[t.Name()] = map[string]any{} // breaks cycles
			g.schemas[t.Name()] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + t.Name()}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{"type": "string"}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.ref(f.Type)
		if strings.Contains(opts, "omitempty") || f.Type.Kind() == reflect.Pointer {
			s = map[string]any{"anyOf": []any{s}, "description": "optional"}
		}
		props[name] = s
	}
	return map[string]any{"type": "object", "properties": props}
}
