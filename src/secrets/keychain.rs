//! The OS keychain through the `keyring` crate: macOS Keychain, Windows Credential Manager,
//! and the freedesktop Secret Service on Linux (gnome-keyring, KeePassXC, …). A missing
//! Secret Service is reported as [`StoreError::Unavailable`], never papered over.

use super::{Secret, SecretStore, StoreError};

#[derive(Debug, Default, Clone, Copy)]
pub struct KeychainStore;

fn classify(err: keyring::Error) -> StoreError {
    use keyring::Error as E;
    match err {
        E::NoStorageAccess(inner) => StoreError::Unavailable(inner.to_string()),
        E::PlatformFailure(inner) => {
            let text = inner.to_string();
            let lower = text.to_lowercase();
            if lower.contains("dbus")
                || lower.contains("d-bus")
                || lower.contains("no such file")
                || lower.contains("connection")
                || lower.contains("serviceunknown")
                || lower.contains("not provided by any .service")
            {
                StoreError::Unavailable(text)
            } else {
                StoreError::Failed(text)
            }
        }
        E::NoDefaultStore => StoreError::Unavailable("no credential store on this platform".into()),
        other => StoreError::Failed(other.to_string()),
    }
}

fn entry(service: &str, var: &str) -> Result<keyring::Entry, StoreError> {
    if let Err(e) = keyring::Entry::store_status() {
        return Err(StoreError::Unavailable(e.to_string()));
    }
    keyring::Entry::new(service, var).map_err(classify)
}

impl SecretStore for KeychainStore {
    fn get(&self, service: &str, var: &str) -> Result<Option<Secret>, StoreError> {
        match entry(service, var)?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, service: &str, var: &str, value: &Secret) -> Result<(), StoreError> {
        entry(service, var)?
            .set_password(value.expose())
            .map_err(classify)
    }

    fn delete(&self, service: &str, var: &str) -> Result<bool, StoreError> {
        match entry(service, var)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }
}
