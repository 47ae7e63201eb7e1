package ui

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/ssh"

	"github.com/quayside/quayside/engine"
	"github.com/quayside/quayside/ui/api"
)

func (s *Server) listKeys(c echo.Context) error {
	keys, err := s.cfg.Engine.ListKeys(c.Request().Context())
	if err != nil {
		return err
	}
	out := api.KeyList{Keys: make([]api.Key, 0, len(keys))}
	for _, k := range keys {
		out.Keys = append(out.Keys, keyJSON(k))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) addKey(c echo.Context) error {
	var in api.AddKey
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	k, err := ParsePublicKey(in.PublicKey)
	if err != nil {
		return err
	}
	k.Name, k.User = in.Name, in.User
	if err := s.cfg.Engine.AddKey(c.Request().Context(), k); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, keyJSON(k))
}

func (s *Server) removeKey(c echo.Context) error {
	if err := s.cfg.Engine.RemoveKey(c.Request().Context(), c.Param("name")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func keyJSON(k *engine.Key) api.Key {
	return api.Key{Name: k.Name, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, Owner: k.Owner, User: k.User, CreatedAt: k.CreatedAt}
}

// ParsePublicKey reads one public key in authorized_keys format (as in a
// .pub file) and refuses private keys and weak key types.
func ParsePublicKey(text string) (*engine.Key, error) {
	text = strings.TrimSpace(text)
	if strings.Contains(text, "PRIVATE KEY") {
		return nil, engine.FieldError("public_key", "this is a private key: give the public key (the .pub file) instead, and keep the private key secret")
	}
	if text == "" {
		return nil, engine.FieldError("public_key", "the public key is empty: pipe a .pub file, as in `quayside keys add NAME < ~/.ssh/id_ed25519.pub`")
	}
	pub, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(text))
	if err != nil {
		return nil, engine.FieldError("public_key", "not an SSH public key in authorized_keys format (like the content of ~/.ssh/id_ed25519.pub)")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, engine.FieldError("public_key", "give exactly one public key")
	}
	if err := checkKeyStrength(pub); err != nil {
		return nil, err
	}
	return &engine.Key{
		Fingerprint: ssh.FingerprintSHA256(pub),
		PublicKey:   strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
	}, nil
}

// checkKeyStrength refuses DSA keys and RSA keys shorter than 2048 bits.
func checkKeyStrength(pub ssh.PublicKey) error {
	switch pub.Type() {
	//lint:ignore SA1019 DSA is named only to refuse it
	case ssh.KeyAlgoDSA:
		return engine.FieldError("public_key", "DSA keys are too weak: use an ed25519 key (ssh-keygen -t ed25519)")
	case ssh.KeyAlgoRSA:
		if ck, ok := pub.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(interface{ Size() int }); ok && rk.Size()*8 < 2048 {
				return engine.FieldError("public_key", "RSA keys shorter than 2048 bits are too weak: use an ed25519 key (ssh-keygen -t ed25519)")
			}
		}
	}
	return nil
}
