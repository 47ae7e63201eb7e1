package ui

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/quayside/quayside/ui/api"
)

// setupPassword sets a password with a setup link's secret: the API twin
// of the dashboard's setup page.
func (s *Server) setupPassword(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	var in api.SetupPassword
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	if err := acc.SetPasswordWithLink(c.Request().Context(), in.Secret, in.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listMembers(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	app := c.Param("app")
	if _, err := s.cfg.Engine.FindApp(c.Request().Context(), app); err != nil {
		return err
	}
	return s.members(c, acc.Members, app)
}

func (s *Server) addMember(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	if err := acc.Grant(c.Request().Context(), c.Param("app"), c.Param("email")); err != nil {
		return err
	}
	return s.members(c, acc.Members, c.Param("app"))
}

func (s *Server) removeMember(c echo.Context) error {
	acc, err := s.accounts()
	if err != nil {
		return err
	}
	if err := acc.Revoke(c.Request().Context(), c.Param("app"), c.Param("email")); err != nil {
		return err
	}
	return s.members(c, acc.Members, c.Param("app"))
}

func (s *Server) members(c echo.Context, list func(ctx context.Context, app string) ([]string, error), app string) error {
	m, err := list(c.Request().Context(), app)
	if err != nil {
		return err
	}
	if m == nil {
		m = []string{}
	}
	return c.JSON(http.StatusOK, api.MemberList{Members: m})
}
