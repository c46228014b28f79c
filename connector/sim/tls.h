// A throwaway TLS identity for the simulator's HTTPS mode.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace sim {

struct X509Free {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

// A fresh P-256 key and a self-signed certificate for 127.0.0.1, ::1 and
// localhost, valid from an hour ago for two days. It is its own CA
// (basicConstraints CA:TRUE), so a client can trust it by naming its PEM
// as the CA file. Nothing is read from or written to disk here.
struct TlsIdentity {
  std::unique_ptr<X509, X509Free> cert;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::string cert_pem;
};

// False with `error` set when OpenSSL fails.
bool make_tls_identity(TlsIdentity& out, std::string& error);

}  // namespace sim
