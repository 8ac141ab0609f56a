//! Why a file gave no text: a stable code for programs and a Korean message for people.

use std::fmt;

/// Why a file's text could not be taken. The code is stable (stored with a failed job); the
/// message is Korean and shown beside the attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The file is larger than the input limit.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// Not a type text is taken from.
    Unsupported,
    /// The file does not parse (damaged, truncated, or not what it claims to be).
    Malformed {
        /// What the parser said (English, for logs).
        detail: String,
    },
    /// Decompressing would pass the limit (a zip bomb or a huge document).
    UnpackedTooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// A zip holds more entries than the limit.
    TooManyEntries {
        /// The limit.
        limit: usize,
    },
    /// Archives nested deeper than the limit.
    NestedTooDeep {
        /// The limit.
        limit: usize,
    },
    /// XML nested deeper than the limit.
    XmlTooDeep {
        /// The limit.
        limit: usize,
    },
    /// Password-protected or distribution-locked (배포용) document.
    Encrypted,
    /// An OCR command is missing.
    OcrUnavailable {
        /// The missing program or language package.
        tool: String,
    },
    /// An OCR command failed.
    OcrFailed {
        /// What it said (English, for logs).
        detail: String,
    },
    /// The extraction ran past its time and was stopped.
    Timeout {
        /// The limit in seconds.
        seconds: u64,
    },
    /// The extraction ran past its memory limit and was stopped.
    OutOfMemory {
        /// The limit in MiB (0 when unknown where it was noticed).
        mib: u64,
    },
    /// The file is missing from the blob store.
    FileMissing,
    /// The extraction process ended abnormally.
    Crashed {
        /// How it ended (English, for logs).
        detail: String,
    },
    /// The job was interrupted too often (its server process stopped each time).
    TooManyAttempts {
        /// How many times it was started.
        attempts: i64,
    },
}

impl Rejection {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too_large",
            Self::Unsupported => "unsupported",
            Self::Malformed { .. } => "malformed",
            Self::UnpackedTooLarge { .. } => "unpacked_too_large",
            Self::TooManyEntries { .. } => "too_many_entries",
            Self::NestedTooDeep { .. } => "nested_too_deep",
            Self::XmlTooDeep { .. } => "xml_too_deep",
            Self::Encrypted => "encrypted",
            Self::OcrUnavailable { .. } => "ocr_unavailable",
            Self::OcrFailed { .. } => "ocr_failed",
            Self::Timeout { .. } => "timeout",
            Self::OutOfMemory { .. } => "out_of_memory",
            Self::FileMissing => "file_missing",
            Self::Crashed { .. } => "crashed",
            Self::TooManyAttempts { .. } => "too_many_attempts",
        }
    }

    /// The Korean message shown to people.
    pub fn message_ko(&self) -> String {
        const MIB: u64 = 1024 * 1024;
        match self {
            Self::TooLarge { limit } => {
                format!(
                    "파일이 너무 커서 내용을 읽지 않았습니다 (최대 {}MB).",
                    limit / MIB
                )
            }
            Self::Unsupported => "내용을 읽을 수 없는 파일 형식입니다.".to_owned(),
            Self::Malformed { .. } => "파일이 손상되었거나 형식이 올바르지 않습니다.".to_owned(),
            Self::UnpackedTooLarge { limit } => format!(
                "압축을 풀면 너무 커서 읽지 않았습니다 (최대 {}MB, 압축 폭탄 의심).",
                limit / MIB
            ),
            Self::TooManyEntries { limit } => {
                format!("압축 파일 안의 항목이 너무 많습니다 (최대 {limit}개).")
            }
            Self::NestedTooDeep { limit } => {
                format!("압축 파일이 너무 깊게 겹쳐 있습니다 (최대 {limit}단계).")
            }
            Self::XmlTooDeep { .. } => "문서 구조가 너무 깊게 겹쳐 있습니다.".to_owned(),
            Self::Encrypted => {
                "암호가 걸렸거나 배포용으로 잠긴 문서는 읽을 수 없습니다.".to_owned()
            }
            Self::OcrUnavailable { tool } => {
                format!("문자 인식(OCR) 프로그램이 설치되어 있지 않습니다 ({tool}).")
            }
            Self::OcrFailed { .. } => "문자 인식(OCR)에 실패했습니다.".to_owned(),
            Self::Timeout { seconds } => {
                format!("내용을 읽는 데 너무 오래 걸려 중단했습니다 ({seconds}초 초과).")
            }
            Self::OutOfMemory { mib: 0 } => {
                "내용을 읽는 데 메모리가 너무 많이 들어 중단했습니다.".to_owned()
            }
            Self::OutOfMemory { mib } => {
                format!("내용을 읽는 데 메모리가 너무 많이 들어 중단했습니다 ({mib}MB 초과).")
            }
            Self::FileMissing => "저장된 파일을 찾을 수 없습니다.".to_owned(),
            Self::Crashed { .. } => "내용을 읽는 프로그램이 비정상 종료되었습니다.".to_owned(),
            Self::TooManyAttempts { attempts } => {
                format!("내용 읽기가 {attempts}번 중단되어 더 시도하지 않습니다.")
            }
        }
    }

    /// Details for logs (English), if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Self::Malformed { detail } | Self::OcrFailed { detail } | Self::Crashed { detail } => {
                Some(detail)
            }
            Self::OcrUnavailable { tool } => Some(tool),
            _ => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code(), self.message_ko())?;
        if let Some(d) = self.detail() {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Rejection {}

pub(crate) fn malformed(detail: impl fmt::Display) -> Rejection {
    Rejection::Malformed {
        detail: detail.to_string(),
    }
}
