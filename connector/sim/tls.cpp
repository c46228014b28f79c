// A throwaway TLS identity for the simulator's HTTPS mode.
// SPDX-License-Identifier: Apache-2.0
#include "tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace sim {
namespace {

struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* ext) const noexcept {
    X509_EXTENSION_free(ext);
  }
};

std::string openssl_error(const char* what) {
  char text[256] = {};
  ERR_error_string_n(ERR_get_error(), text, sizeof(text));
  return std::string(what) + ": " + text;
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

bool make_tls_identity(TlsIdentity& out, std::string& error) {
  out.key.reset(EVP_EC_gen("P-256"));
  if (!out.key) {
    error = openssl_error("EC key generation failed");
    return false;
  }
  out.cert.reset(X509_new());
  X509* cert = out.cert.get();
  if (cert == nullptr || X509_set_version(cert, 2) != 1) {
    error = openssl_error("X509_new failed");
    return false;
  }
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) {
    error = openssl_error("RAND_bytes failed");
    return false;
  }
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* serial_bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  const bool serial_ok =
      serial_bn != nullptr &&
      BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert)) != nullptr;
  BN_free(serial_bn);
  X509_NAME* name = X509_get_subject_name(cert);
  const bool ok =
      serial_ok &&
      X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert), 2 * 86400) != nullptr &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>("trustar-sim test CA"), -1,
          -1, 0) == 1 &&
      X509_set_issuer_name(cert, name) == 1 &&
      X509_set_pubkey(cert, out.key.get()) == 1 &&
      add_extension(cert, NID_basic_constraints, "critical,CA:TRUE") &&
      add_extension(cert, NID_key_usage,
                    "critical,digitalSignature,keyCertSign") &&
      add_extension(cert, NID_ext_key_usage, "serverAuth") &&
      add_extension(cert, NID_subject_key_identifier, "hash") &&
      add_extension(cert, NID_subject_alt_name,
                    "IP:127.0.0.1,IP:::1,DNS:localhost") &&
      X509_sign(cert, out.key.get(), EVP_sha256()) > 0;
  if (!ok) {
    error = openssl_error("building the certificate failed");
    return false;
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    error = openssl_error("PEM encoding failed");
    return false;
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) {
    error = "PEM encoding produced nothing";
    return false;
  }
  out.cert_pem.assign(data, static_cast<std::size_t>(size));
  return true;
}

}  // namespace sim
